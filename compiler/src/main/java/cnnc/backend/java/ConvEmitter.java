package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.Taps;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The plain-Java conv, conv_bf and conv_grad. Stride-1 conv and conv_bf go to {@link PlaneConvEmitter}
 * (loops C2 vectorizes). The rest run as row loops: for an input map, every kernel tap {@code (p, q)}
 * is unrolled with literal offsets over contiguous output columns, {@code y[yr + j] += w_p_q * x[xr +
 * j·s + (q - Pl)]}; conv and gathering conv_bf take {@link #BLOCK} output maps per load of the input
 * row and a kernel row's taps in one expression ({@link #rowLoops}). Each tap's valid rows and columns
 * are computed here as literals, so border handling costs nothing inside the loops (and a window
 * anchored outside the kernel, or a negative pad, is just another range). Spatial loops are never
 * unrolled. Taps go to helper methods of at most {@link #TAPS_PER_METHOD} taps (divided by the block)
 * so every method stays far below HotSpot's 8000-byte JIT limit.
 */
final class ConvEmitter {

    /** About 50 bytes of bytecode per tap; 48 taps keep a helper near 3 KB. */
    static final int TAPS_PER_METHOD = 48;

    private ConvEmitter() {}

    /** Rows (or columns) {@code [lo, hi)} of the output where input position {@code o*stride - pad + tap} lies in {@code [0, in)}. */
    static int[] range(int out, int in, int stride, int pad, int tap) {
        Taps.Range r = Taps.outputs(out, in, stride, pad, tap);
        return new int[] {r.lo(), r.hi()};
    }

    /** One kernel row's taps {@code q0 <= q < q1}. */
    record Segment(int p, int q0, int q1) {}

    /** The kernel's taps cut into groups of at most {@link #TAPS_PER_METHOD}, one helper each. */
    static List<List<Segment>> groups(int m, int n) {
        return groups(m, n, TAPS_PER_METHOD);
    }

    /** The kernel's taps cut into groups of at most {@code perMethod}. */
    static List<List<Segment>> groups(int m, int n, int perMethod) {
        List<List<Segment>> groups = new ArrayList<>();
        List<Segment> current = new ArrayList<>();
        int taps = 0;
        for (int p = 0; p < m; p++) {
            for (int q0 = 0; q0 < n; ) {
                if (taps == perMethod) {
                    groups.add(current);
                    current = new ArrayList<>();
                    taps = 0;
                }
                int q1 = Math.min(n, q0 + perMethod - taps);
                current.add(new Segment(p, q0, q1));
                taps += q1 - q0;
                q0 = q1;
            }
        }
        groups.add(current);
        return groups;
    }

    static String plus(long v) {
        return v == 0 ? "" : v > 0 ? " + " + v : " - " + (-v);
    }

    static String times(String var, int s) {
        return s == 1 ? var : var + " * " + s;
    }

    /** {@code (i·s + off) * w}, without parentheses or terms that are not needed. */
    static String rowStart(String var, int s, long off, int w) {
        return (off == 0 ? times(var, s) : "(" + times(var, s) + plus(off) + ")") + " * " + w;
    }

    /** Splits {@code n} items into at least {@code want} chunks (when there are that many). */
    static int groupsFor(int batch, int n) {
        return batch >= 8 ? 1 : Math.min(n, (8 + batch - 1) / batch);
    }

    /** {@code int t, lo, hi} for chunk {@code t * g + part} of {@code n} items split in {@code g} parts. */
    static void splitChunk(Code c, int g, int n, String lo, String hi) {
        if (g == 1) {
            c.line("int t = chunk").line("int " + lo + " = 0").line("int " + hi + " = " + n);
        } else {
            c.line("int t = chunk / " + g).line("int part = chunk - t * " + g)
                    .line("int " + lo + " = part * " + n + " / " + g).line("int " + hi + " = (part + 1) * " + n + " / " + g);
        }
    }

    /**
     * Output channels (forward) or ΔX channels (backward-data) one tap helper computes at once: each
     * load of an input row feeds {@code BLOCK} outputs, and each output element takes a kernel row's
     * taps in one expression, so it is loaded and stored once per kernel row instead of once per tap
     * (C2 runs these strided loops scalar: docs/performance.md, "Stop 15").
     */
    static final int BLOCK = 4;

    /**
     * Tests only: one channel at a time and a loop per tap, the straightforward form the blocked, fused
     * loops must equal bit for bit ({@code PlainConvBlockingTest}).
     */
    static volatile boolean perTap = false;

    /**
     * Tap {@code (p, q)} of a kernel row as a loop over output index {@code j}: it adds
     * {@code w<a>_<p>_<q> · src} to channel a's output at every j in {@code [lo, hi)}, {@code src}
     * reading the input for {@code j}.
     */
    record Tap(int p, int q, int lo, int hi, String src) {
        /** The local holding channel a's weight of this tap. */
        String weight(int a) {
            return weightName(a, p, q);
        }
    }

    static String weightName(int a, int p, int q) {
        return "w" + a + "_" + p + "_" + q;
    }

    /**
     * The loops of one kernel row over an output row, {@code out.apply(a)} naming channel a's output at
     * {@code j}: the columns every tap reaches run as one loop adding the taps left to right,
     * {@code y = y + w0·x0 + w1·x1 + ...}; the columns at the borders that only some taps reach run a
     * loop per tap, left border first. Either way each output element adds its taps in ascending
     * order, one rounding after each, exactly as a loop per tap would: the bits do not depend on how
     * the columns are cut.
     */
    private static void rowLoops(Code c, List<Tap> taps, int b, IntFunction<String> out) {
        int lo = Integer.MIN_VALUE, hi = Integer.MAX_VALUE;
        for (Tap t : taps) {
            lo = Math.max(lo, t.lo());
            hi = Math.min(hi, t.hi());
        }
        if (lo >= hi || perTap) { // no column every tap reaches (a map narrower than the kernel): a loop per tap
            for (Tap t : taps) {
                tapLoop(c, t, t.lo(), t.hi(), b, out);
            }
            return;
        }
        for (Tap t : taps) {
            tapLoop(c, t, t.lo(), Math.min(lo, t.hi()), b, out);
        }
        c.open("for (int j = " + lo + "; j < " + hi + "; j++)");
        for (int q = 0; q < taps.size(); q++) {
            c.line("float x" + q + " = " + taps.get(q).src());
        }
        for (int a = 0; a < b; a++) {
            StringBuilder sum = new StringBuilder(out.apply(a) + " = " + out.apply(a));
            for (int q = 0; q < taps.size(); q++) {
                sum.append(" + ").append(taps.get(q).weight(a)).append(" * x").append(q);
            }
            c.line(sum.toString());
        }
        c.close();
        for (Tap t : taps) {
            tapLoop(c, t, Math.max(hi, t.lo()), t.hi(), b, out);
        }
    }

    /** Tap t alone over outputs {@code [lo, hi)} (nothing when empty). */
    private static void tapLoop(Code c, Tap t, int lo, int hi, int b, IntFunction<String> out) {
        if (lo >= hi) {
            return;
        }
        if (b == 1) {
            c.one("for (int j = " + lo + "; j < " + hi + "; j++) " + out.apply(0) + " += " + t.weight(0) + " * " + t.src());
            return;
        }
        c.open("for (int j = " + lo + "; j < " + hi + "; j++)").line("float x = " + t.src());
        for (int a = 0; a < b; a++) {
            c.line(out.apply(a) + " += " + t.weight(a) + " * x");
        }
        c.close();
    }

    /** {@code row} then {@code a * stride}: channel a's row in a block of channels {@code stride} floats apart. */
    private static String channel(String row, int a, long stride) {
        return row + plus(a * stride);
    }

    static void forward(StepCtx s, Conv op) {
        if (!perTap && PlaneConvEmitter.applies(op)) {
            PlaneConvEmitter.forward(s, op);
            return;
        }
        Shape x = s.inBuf(0).shape();
        Shape y = s.outBuf(0).shape();
        int T = x.n(), C = x.c(), K = y.c(), Ho = y.h(), Wo = y.w(), M = op.m(), N = op.n();
        int B = perTap ? 1 : Math.min(BLOCK, K);
        int kg = groupsFor(T, K);
        boolean singles = B > 1 && (kg > 1 || K % B != 0);
        List<String> taps = forwardTaps(s, op, B, "taps");
        List<String> ones = singles ? forwardTaps(s, op, 1, "one") : taps;
        Code c = new Code();
        splitChunk(c, kg, K, "k0", "k1");
        c.line("int k = k0");
        forwardBlock(c, s, op, B, "k + " + B + " <= k1", taps);
        if (singles) {
            forwardBlock(c, s, op, 1, "k < k1", ones);
        }
        s.main(T * kg, (long) T * K * C * Ho * Wo * M * N,
                (kg == 1 ? "one sample each" : "sample chunk / " + kg + ", output channels split in " + kg)
                        + (B > 1 ? "; output channels " + B + " at a time" : ""), c.build(), kg == 1);
    }

    /** The main loop over blocks of b output channels from k while {@code cond}: bias, then every input channel's taps. */
    private static void forwardBlock(Code c, StepCtx s, Conv op, int b, String cond, List<String> taps) {
        Shape x = s.inBuf(0).shape();
        Shape y = s.outBuf(0).shape();
        int C = x.c(), K = y.c(), hw = y.h() * y.w();
        c.open("for (; " + cond + "; k += " + b + ")").line("int yo = (t * " + K + " + k) * " + hw);
        for (int a = 0; a < b; a++) {
            c.line("float b" + a + " = " + (op.bias() ? s.in(2) + "[k" + plus(a) + "]" : "0f"))
                    .loop("e", 0, hw, s.out(0) + "[" + channel("yo", a, hw) + " + e] = b" + a);
        }
        c.open("for (int c = 0; c < " + C + "; c++)")
                .line("int xo = (t * " + C + " + c) * " + x.h() * x.w())
                .line("int wo = (k * " + C + " + c) * " + op.m() * op.n());
        taps.forEach(t -> c.line(t + "(yo, xo, wo)"));
        c.close().close();
    }

    /** Forward tap helpers for b output channels: Y[t][k + a] += W[k + a][c] applied to X[t][c]. */
    private static List<String> forwardTaps(StepCtx s, Conv op, int b, String prefix) {
        Shape x = s.inBuf(0).shape();
        Shape y = s.outBuf(0).shape();
        int C = x.c(), H = x.h(), W = x.w(), Ho = y.h(), Wo = y.w(), M = op.m(), N = op.n();
        List<String> taps = new ArrayList<>();
        int gi = 0;
        for (List<Segment> g : groups(M, N, TAPS_PER_METHOD / b)) {
            Code c = new Code();
            for (Segment seg : g) {
                int[] rows = range(Ho, H, op.sh(), op.pt(), seg.p());
                if (rows[0] == rows[1]) {
                    continue;
                }
                c.comment("kernel row p = " + seg.p() + ": output rows [" + rows[0] + ", " + rows[1] + ") read input row i"
                        + (op.sh() == 1 ? "" : "·" + op.sh()) + plus(seg.p() - op.pt()));
                List<Tap> row = new ArrayList<>();
                for (int q = seg.q0(); q < seg.q1(); q++) {
                    int[] cols = range(Wo, W, op.sw(), op.pl(), q);
                    if (cols[0] == cols[1]) {
                        continue;
                    }
                    for (int a = 0; a < b; a++) {
                        c.line("float " + weightName(a, seg.p(), q) + " = " + s.in(1) + "[wo" + plus((long) a * C * M * N + seg.p() * N + q) + "]");
                    }
                    row.add(new Tap(seg.p(), q, cols[0], cols[1], s.in(0) + "[xr + " + times("j", op.sw()) + plus(q - op.pl()) + "]"));
                }
                c.open("for (int i = " + rows[0] + "; i < " + rows[1] + "; i++)")
                        .line("int yr = yo + i * " + Wo)
                        .line("int xr = xo + " + rowStart("i", op.sh(), seg.p() - op.pt(), W));
                rowLoops(c, row, b, a -> s.out(0) + "[" + channel("yr", a, (long) Ho * Wo) + " + j]");
                c.close();
            }
            taps.add(s.helper(prefix + gi++, "Adds the taps " + describe(g) + " of W[k" + (b > 1 ? " + a" : "") + "][c] applied to map X[t][c] into map Y[t][k"
                    + (b > 1 ? " + a], a = 0 .. " + (b - 1) : "]") + ".", List.of("yo", "xo", "wo"), c.build()));
        }
        return taps;
    }

    static void backwardData(StepCtx s, ConvBf bf) {
        backwardData(s, bf, null);
    }

    /**
     * Conv_BF whose every map {@code ΔX[t][c]} starts from {@code bias[c]} (the field, or null for 0): deconv's forward.
     * With column stride 1 it gathers: ΔX column u takes tap q from ΔY column {@code u - q + Pl}, a forward
     * convolution's row loop, ΔX channels {@link #BLOCK} at a time; with a wider column stride a tap's
     * ΔY columns land on every s-th ΔX column, so each tap scatters on its own.
     */
    static void backwardData(StepCtx s, ConvBf bf, String bias) {
        Conv op = bf.conv();
        if (!perTap && PlaneConvEmitter.applies(op)) {
            PlaneConvEmitter.backwardData(s, bf, bias);
            return;
        }
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int T = dx.n(), C = dx.c(), H = dx.h(), W = dx.w(), K = dy.c(), Ho = dy.h(), Wo = dy.w(), M = op.m(), N = op.n();
        int B = op.sw() == 1 && !perTap ? Math.min(BLOCK, C) : 1;
        int cg = groupsFor(T, C);
        boolean singles = B > 1 && (cg > 1 || C % B != 0);
        List<String> taps = backwardTaps(s, op, B, "taps");
        List<String> ones = singles ? backwardTaps(s, op, 1, "one") : taps;
        Code c = new Code();
        splitChunk(c, cg, C, "c0", "c1");
        c.line("int c = c0");
        backwardBlock(c, s, op, B, "c + " + B + " <= c1", taps, bias);
        if (singles) {
            backwardBlock(c, s, op, 1, "c < c1", ones, bias);
        }
        s.main(T * cg, (long) T * K * C * Ho * Wo * M * N,
                (cg == 1 ? "one sample each (ΔX[t] is written by its chunk alone)" : "sample chunk / " + cg + ", input channels split in " + cg)
                        + (B > 1 ? "; ΔX channels " + B + " at a time" : ""), c.build(), cg == 1);
    }

    /** The main loop over blocks of b ΔX channels from c while {@code cond}: start values, then every ΔY channel's taps. */
    private static void backwardBlock(Code c, StepCtx s, Conv op, int b, String cond, List<String> taps, String bias) {
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int C = dx.c(), K = dy.c(), hw = dx.h() * dx.w();
        c.open("for (; " + cond + "; c += " + b + ")").line("int xo = (t * " + C + " + c) * " + hw);
        for (int a = 0; a < b; a++) {
            c.loop("e", 0, hw, s.out(0) + "[" + channel("xo", a, hw) + " + e] = " + (bias == null ? "0f" : bias + "[c" + plus(a) + "]"));
        }
        c.open("for (int k = 0; k < " + K + "; k++)")
                .line("int yo = (t * " + K + " + k) * " + dy.h() * dy.w())
                .line("int wo = (k * " + C + " + c) * " + op.m() * op.n());
        taps.forEach(t -> c.line(t + "(xo, yo, wo)"));
        c.close().close();
    }

    /** Backward-data tap helpers for b ΔX channels: ΔX[t][c + a] += rot180(W[k][c + a]) applied to ΔY[t][k]. */
    private static List<String> backwardTaps(StepCtx s, Conv op, int b, String prefix) {
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int H = dx.h(), W = dx.w(), Ho = dy.h(), Wo = dy.w(), M = op.m(), N = op.n();
        boolean gather = op.sw() == 1;
        List<String> taps = new ArrayList<>();
        int gi = 0;
        for (List<Segment> g : groups(M, N, TAPS_PER_METHOD / b)) {
            Code c = new Code();
            for (Segment seg : g) {
                int[] rows = range(Ho, H, op.sh(), op.pt(), seg.p());
                if (rows[0] == rows[1]) {
                    continue;
                }
                c.comment("kernel row p = " + seg.p() + ": ΔY rows [" + rows[0] + ", " + rows[1] + ") reach ΔX row i"
                        + (op.sh() == 1 ? "" : "·" + op.sh()) + plus(seg.p() - op.pt()));
                List<Tap> row = new ArrayList<>();
                List<String> scatter = new ArrayList<>();
                for (int q = seg.q0(); q < seg.q1(); q++) {
                    int[] cols = range(Wo, W, op.sw(), op.pl(), q);
                    if (cols[0] == cols[1]) {
                        continue;
                    }
                    for (int a = 0; a < b; a++) {
                        c.line("float " + weightName(a, seg.p(), q) + " = " + s.in(1) + "[wo" + plus((long) a * M * N + seg.p() * N + q) + "]");
                    }
                    int shift = q - op.pl(); // ΔY column j reaches ΔX column j·s + q - Pl
                    if (gather) {
                        row.add(new Tap(seg.p(), q, cols[0] + shift, cols[1] + shift, s.in(0) + "[yr + j" + plus(-shift) + "]"));
                    } else {
                        scatter.add("for (int j = " + cols[0] + "; j < " + cols[1] + "; j++) " + s.out(0) + "[xr + " + times("j", op.sw())
                                + plus(shift) + "] += " + weightName(0, seg.p(), q) + " * " + s.in(0) + "[yr + j]");
                    }
                }
                c.open("for (int i = " + rows[0] + "; i < " + rows[1] + "; i++)")
                        .line("int yr = yo + i * " + Wo)
                        .line("int xr = xo + " + rowStart("i", op.sh(), seg.p() - op.pt(), W));
                if (gather) {
                    rowLoops(c, row, b, a -> s.out(0) + "[" + channel("xr", a, (long) H * W) + " + j]");
                } else {
                    scatter.forEach(c::one);
                }
                c.close();
            }
            taps.add(s.helper(prefix + gi++, "Adds the taps " + describe(g) + " of V[c" + (b > 1 ? " + a" : "") + "][k] = rot180(W[k][c"
                    + (b > 1 ? " + a" : "") + "]) applied to map ΔY[t][k] into map ΔX[t][c" + (b > 1 ? " + a], a = 0 .. " + (b - 1) : "]")
                    + (gather ? "; ΔX column u takes tap q from ΔY column u - q + " + op.pl() + "."
                            : "; with stride " + op.sh() + "x" + op.sw() + " only the taps that meet a ΔY element run."),
                    List.of("xo", "yo", "wo"), c.build()));
        }
        return taps;
    }

    /** Δb[k] of conv_grad's chunk k: ΔY[t][k] (maps of {@code hw}) summed over t and the map in double, in order. */
    static void biasGradient(Code c, StepCtx s, int T, int K, int hw) {
        c.comment("Δb[k] = Σ_t,i,j ΔY[t][k][i][j], summed in double");
        c.line("double bsum = 0");
        c.open("for (int t = 0; t < " + T + "; t++)")
                .line("int yo = (t * " + K + " + k) * " + hw)
                .loop("e", 0, hw, "bsum += " + s.in(0) + "[yo + e]")
                .close();
        c.line(s.out(1) + "[k] = (float) bsum");
    }

    static void gradient(StepCtx s, ConvGrad grad) {
        Conv op = grad.conv();
        Shape dy = s.inBuf(0).shape();
        Shape x = s.inBuf(1).shape();
        int T = x.n(), C = x.c(), H = x.h(), W = x.w(), K = dy.c(), Ho = dy.h(), Wo = dy.w(), M = op.m(), N = op.n();
        int per = M * N * Wo;
        String acc = s.scratch("acc", (long) K * per);
        List<String> taps = new ArrayList<>();
        int gi = 0;
        for (List<Segment> g : groups(M, N)) {
            Code c = new Code();
            for (Segment seg : g) {
                int[] rows = range(Ho, H, op.sh(), op.pt(), seg.p());
                if (rows[0] == rows[1]) {
                    continue;
                }
                c.comment("kernel row p = " + seg.p() + ": ΔY rows [" + rows[0] + ", " + rows[1] + ") meet X row i"
                        + (op.sh() == 1 ? "" : "·" + op.sh()) + plus(seg.p() - op.pt()));
                c.open("for (int i = " + rows[0] + "; i < " + rows[1] + "; i++)")
                        .line("int yr = yo + i * " + Wo)
                        .line("int xr = xo + " + rowStart("i", op.sh(), seg.p() - op.pt(), W));
                for (int q = seg.q0(); q < seg.q1(); q++) {
                    int[] cols = range(Wo, W, op.sw(), op.pl(), q);
                    if (cols[0] == cols[1]) {
                        continue;
                    }
                    c.one("for (int j = " + cols[0] + "; j < " + cols[1] + "; j++) " + acc
                            + "[ao" + plus((long) (seg.p() * N + q) * Wo) + " + j] += " + s.in(0) + "[yr + j] * " + s.in(1)
                            + "[xr + " + times("j", op.sw()) + plus(q - op.pl()) + "]");
                }
                c.close();
            }
            taps.add(s.helper("taps" + gi++, "Adds ΔY[t][k][i][j] · X[t][c][..] of the taps " + describe(g)
                    + " into their column accumulators acc[tap][j] (vectorizable; summed over j at the end).",
                    List.of("ao", "yo", "xo"), c.build()));
        }
        Code c = new Code();
        c.line("int k = chunk").line("int ao = k * " + per);
        c.open("for (int c = 0; c < " + C + "; c++)")
                .loop("e", 0, per, acc + "[ao + e] = 0f");
        c.open("for (int t = 0; t < " + T + "; t++)")
                .line("int yo = (t * " + K + " + k) * " + (Ho * Wo))
                .line("int xo = (t * " + C + " + c) * " + (H * W));
        taps.forEach(t -> c.line(t + "(ao, yo, xo)"));
        c.close();
        c.comment("ΔW[k][c][p][q] = Σ_j acc[p·" + N + " + q][j], in column order");
        c.line("int wo = (k * " + C + " + c) * " + (M * N));
        c.open("for (int tap = 0; tap < " + (M * N) + "; tap++)")
                .line("float sum = 0f")
                .loop("j", 0, Wo, "sum += " + acc + "[ao + tap * " + Wo + " + j]")
                .line(s.out(0) + "[wo + tap] = sum")
                .close();
        c.close();
        if (op.bias()) {
            biasGradient(c, s, T, K, Ho * Wo);
        }
        s.main(K, (long) T * K * C * Ho * Wo * M * N,
                "one output channel k each: ΔW[k] and Δb[k] sum over t, i, j inside the chunk, so no sum crosses threads", c.build());
    }

    private static String describe(List<Segment> g) {
        StringBuilder b = new StringBuilder();
        for (Segment seg : g) {
            b.append(b.isEmpty() ? "" : ", ").append("(").append(seg.p()).append(", ")
                    .append(seg.q1() - seg.q0() == 1 ? String.valueOf(seg.q0()) : seg.q0() + ".." + (seg.q1() - 1)).append(")");
        }
        return b.toString();
    }
}
