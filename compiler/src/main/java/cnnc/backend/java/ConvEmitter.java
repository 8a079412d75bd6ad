package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.Taps;
import java.util.ArrayList;
import java.util.List;

/**
 * conv, conv_bf and conv_grad as row saxpys: for one output map and one input map, every kernel tap
 * {@code (p, q)} is unrolled with literal offsets and runs one loop over contiguous columns,
 * {@code y[yr + j] += w_p_q * x[xr + j + (q - Pl)]}, that C2 vectorizes. Each tap's valid rows and
 * columns are computed here as literals, so border handling costs nothing inside the loops (and a
 * window anchored outside the kernel, or a negative pad, is just another range). Spatial loops are
 * never unrolled. Taps go to helper methods of at most {@link #TAPS_PER_METHOD} taps so every method
 * stays far below HotSpot's 8000-byte JIT limit.
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
        List<List<Segment>> groups = new ArrayList<>();
        List<Segment> current = new ArrayList<>();
        int taps = 0;
        for (int p = 0; p < m; p++) {
            for (int q0 = 0; q0 < n; ) {
                if (taps == TAPS_PER_METHOD) {
                    groups.add(current);
                    current = new ArrayList<>();
                    taps = 0;
                }
                int q1 = Math.min(n, q0 + TAPS_PER_METHOD - taps);
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

    static void forward(StepCtx s, Conv op) {
        Shape x = s.inBuf(0).shape();
        Shape y = s.outBuf(0).shape();
        int T = x.n(), C = x.c(), H = x.h(), W = x.w(), K = y.c(), Ho = y.h(), Wo = y.w(), M = op.m(), N = op.n();
        List<String> taps = new ArrayList<>();
        int gi = 0;
        for (List<Segment> g : groups(M, N)) {
            Code c = new Code();
            for (Segment seg : g) {
                int[] rows = range(Ho, H, op.sh(), op.pt(), seg.p());
                if (rows[0] == rows[1]) {
                    continue;
                }
                c.comment("kernel row p = " + seg.p() + ": output rows [" + rows[0] + ", " + rows[1] + ") read input row i"
                        + (op.sh() == 1 ? "" : "·" + op.sh()) + plus(seg.p() - op.pt()));
                List<String> body = new ArrayList<>();
                for (int q = seg.q0(); q < seg.q1(); q++) {
                    int[] cols = range(Wo, W, op.sw(), op.pl(), q);
                    if (cols[0] == cols[1]) {
                        continue;
                    }
                    String w = "w" + seg.p() + "_" + q;
                    c.line("float " + w + " = " + s.in(1) + "[wo" + plus(seg.p() * N + q) + "]");
                    body.add("for (int j = " + cols[0] + "; j < " + cols[1] + "; j++) " + s.out(0) + "[yr + j] += " + w
                            + " * " + s.in(0) + "[xr + " + times("j", op.sw()) + plus(q - op.pl()) + "]");
                }
                c.open("for (int i = " + rows[0] + "; i < " + rows[1] + "; i++)")
                        .line("int yr = yo + i * " + Wo)
                        .line("int xr = xo + " + rowStart("i", op.sh(), seg.p() - op.pt(), W));
                body.forEach(c::one);
                c.close();
            }
            taps.add(s.helper("taps" + gi++, "Adds the taps " + describe(g) + " of W[k][c] applied to map X[t][c] into map Y[t][k].",
                    List.of("yo", "xo", "wo"), c.build()));
        }
        int kg = groupsFor(T, K);
        Code c = new Code();
        splitChunk(c, kg, K, "k0", "k1");
        c.open("for (int k = k0; k < k1; k++)")
                .line("int yo = (t * " + K + " + k) * " + (Ho * Wo));
        String b = op.bias() ? s.in(2) + "[k]" : "0f";
        c.line("float b = " + b).loop("e", 0, (long) Ho * Wo, s.out(0) + "[yo + e] = b");
        c.open("for (int c = 0; c < " + C + "; c++)")
                .line("int xo = (t * " + C + " + c) * " + (H * W))
                .line("int wo = (k * " + C + " + c) * " + (M * N));
        taps.forEach(t -> c.line(t + "(yo, xo, wo)"));
        c.close().close();
        s.main(T * kg, (long) T * K * C * Ho * Wo * M * N,
                kg == 1 ? "one sample each" : "sample chunk / " + kg + ", output channels split in " + kg, c.build(), kg == 1);
    }

    static void backwardData(StepCtx s, ConvBf bf) {
        backwardData(s, bf, null);
    }

    /** Conv_BF whose every map {@code ΔX[t][c]} starts from {@code bias[c]} (the field, or null for 0): deconv's forward. */
    static void backwardData(StepCtx s, ConvBf bf, String bias) {
        Conv op = bf.conv();
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int T = dx.n(), C = dx.c(), H = dx.h(), W = dx.w(), K = dy.c(), Ho = dy.h(), Wo = dy.w(), M = op.m(), N = op.n();
        List<String> taps = new ArrayList<>();
        int gi = 0;
        for (List<Segment> g : groups(M, N)) {
            Code c = new Code();
            for (Segment seg : g) {
                int[] rows = range(Ho, H, op.sh(), op.pt(), seg.p());
                if (rows[0] == rows[1]) {
                    continue;
                }
                c.comment("kernel row p = " + seg.p() + ": ΔY rows [" + rows[0] + ", " + rows[1] + ") reach ΔX row i"
                        + (op.sh() == 1 ? "" : "·" + op.sh()) + plus(seg.p() - op.pt()));
                List<String> body = new ArrayList<>();
                for (int q = seg.q0(); q < seg.q1(); q++) {
                    int[] cols = range(Wo, W, op.sw(), op.pl(), q);
                    if (cols[0] == cols[1]) {
                        continue;
                    }
                    String w = "w" + seg.p() + "_" + q;
                    c.line("float " + w + " = " + s.in(1) + "[wo" + plus(seg.p() * N + q) + "]");
                    body.add("for (int j = " + cols[0] + "; j < " + cols[1] + "; j++) " + s.out(0) + "[xr + "
                            + times("j", op.sw()) + plus(q - op.pl()) + "] += " + w + " * " + s.in(0) + "[yr + j]");
                }
                c.open("for (int i = " + rows[0] + "; i < " + rows[1] + "; i++)")
                        .line("int yr = yo + i * " + Wo)
                        .line("int xr = xo + " + rowStart("i", op.sh(), seg.p() - op.pt(), W));
                body.forEach(c::one);
                c.close();
            }
            taps.add(s.helper("taps" + gi++, "Adds the taps " + describe(g) + " of V[c][k] = rot180(W[k][c]) applied to map ΔY[t][k]"
                    + " into map ΔX[t][c]; with stride " + op.sh() + "x" + op.sw() + " only the taps that meet a ΔY element run.",
                    List.of("xo", "yo", "wo"), c.build()));
        }
        int cg = groupsFor(T, C);
        Code c = new Code();
        splitChunk(c, cg, C, "c0", "c1");
        c.open("for (int c = c0; c < c1; c++)")
                .line("int xo = (t * " + C + " + c) * " + (H * W))
                .loop("e", 0, (long) H * W, s.out(0) + "[xo + e] = " + (bias == null ? "0f" : bias + "[c]"));
        c.open("for (int k = 0; k < " + K + "; k++)")
                .line("int yo = (t * " + K + " + k) * " + (Ho * Wo))
                .line("int wo = (k * " + C + " + c) * " + (M * N));
        taps.forEach(t -> c.line(t + "(xo, yo, wo)"));
        c.close().close();
        s.main(T * cg, (long) T * K * C * Ho * Wo * M * N,
                cg == 1 ? "one sample each (ΔX[t] is written by its chunk alone)" : "sample chunk / " + cg + ", input channels split in " + cg,
                c.build(), cg == 1);
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
