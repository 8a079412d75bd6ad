package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;
import java.util.List;

/**
 * full, full_bf and full_grad on {@code jdk.incubator.vector} (see {@link VectorConvEmitter}); the
 * scalar {@link FullEmitter} is used without the Vector API. {@code L = C·H·W} is cut into
 * {@link VectorConvEmitter#VL}-wide blocks and a scalar tail of {@code L mod VL}.
 *
 * <p>forward: {@link #KB} dot products per pass over a sample's row, each in its own accumulator
 * whose lanes are added in a fixed order, then the tail. full_bf and full_grad are one product,
 * {@code Σ_k ΔY[t][k]·W[k][l]} and {@code Σ_t ΔY[t][k]·X[t][l]} ({@link Product}), computed in a register
 * tile of {@link #RB} rows times {@link #PV} vectors of columns: per term PV loads and RB broadcasts feed
 * RB·PV fmas, each in its own chain. One accumulator per block of columns (until stop 12) waited on the
 * latency of its own fmas and read W or X once per row: fashion_bn's f1 (2048 -> 256) ran at 5-7 GFLOP/s.
 */
final class VectorFullEmitter {

    static final int VL = VectorConvEmitter.VL;
    /** Output rows per pass of the forward dot products. */
    static final int KB = 4;

    private VectorFullEmitter() {}

    /** Samples of a tile of the batch-blocked forward ({@link #forwardBlocked}): each weight vector loaded feeds TB samples. */
    static final int TB = 4;
    /** Outputs of a chunk of the batch-blocked forward. */
    static final int KC = 16;
    /** Weights of more floats than this (512 KB) do not stay in a core's 1 MB L2 beside the activations. */
    static final long L2_FLOATS = 128 * 1024;

    /**
     * Whether the forward runs batch-blocked: W too large to stay in L2 from one sample to the next (a
     * sample at a time reads all of it from L3 per sample: fashion_bn's f1, 2 MB, ran at about 30 GFLOP/s),
     * and a batch of at least {@link #TB}.
     */
    static boolean batchBlocked(int batch, int k, long length) {
        return !perSample && batch >= TB && k * length > L2_FLOATS;
    }

    /** Test hook: the forward a sample at a time whatever W's size (FullKernelTest compares the two). */
    static volatile boolean perSample = false;

    static void forward(StepCtx s, Full op) {
        Shape x = s.inBuf(0).shape();
        int T = x.n(), K = op.k();
        int L = (int) x.perSample();
        if (batchBlocked(T, K, L)) {
            forwardBlocked(s, op, T, K, L);
            return;
        }
        int Lv = L / VL * VL;
        int kg = ConvEmitter.groupsFor(T, K);
        String lanes = s.scratch("lanes", (long) T * kg * KB * VL);
        String W = s.in(1), X = s.in(0);
        Code c = new Code();
        ConvEmitter.splitChunk(c, kg, K, "k0", "k1");
        c.line("int xo = t * " + L).line("int lo = chunk * " + KB * VL).line("int k = k0");
        for (int b : new int[] {KB, 1}) {
            c.open(b == 1 ? "for (; k < k1; k++)" : "for (; k + " + b + " <= k1; k += " + b + ")");
            for (int a = 0; a < b; a++) {
                c.line("FloatVector a" + a + " = FloatVector.zero(S)");
            }
            c.open("for (int l = 0; l < " + Lv + "; l += " + VL + ")").line("FloatVector v = FloatVector.fromArray(S, " + X + ", xo + l)");
            for (int a = 0; a < b; a++) {
                c.line("a" + a + " = FloatVector.fromArray(S, " + W + ", (k + " + a + ") * " + L + " + l).fma(v, a" + a + ")");
            }
            c.close();
            for (int a = 0; a < b; a++) {
                output(c, s, op, lanes, L, "a" + a, "s" + a, a, "xo", "t * " + K);
            }
            c.close();
        }
        s.main(T * kg, (long) T * K * L, kg == 1 ? "one sample each, " + KB + " outputs per pass over its row"
                : "sample chunk / " + kg + ", outputs split in " + kg, c.build(), kg == 1);
    }

    /**
     * The forward of a large W: chunk = {@link #KC} outputs of every sample, in tiles of {@link #TB} samples x
     * {@link #KB} outputs, so that a chunk's W rows are read from memory once per {@code TB} samples and
     * stay in cache while the batch's rows stream past. Each output's sum is the per-sample kernel's (the
     * same fmas in the same order, the same lane sum and tail): the same bits.
     */
    private static void forwardBlocked(StepCtx s, Full op, int T, int K, int L) {
        int chunks = (K + KC - 1) / KC;
        String lanes = s.scratch("lanes", (long) chunks * TB * KB * VL);
        Code c = new Code();
        c.comment("outputs k0 .. k1-1 of every sample: tiles of " + TB + " samples x " + KB + " outputs (W is "
                + (long) K * L * 4 / 1024 + " KB: read once per " + TB + " samples, not once per sample)");
        c.line("int k0 = chunk * " + KC).line("int k1 = Math.min(k0 + " + KC + ", " + K + ")").line("int lo = chunk * " + TB * KB * VL);
        c.line("int k = k0");
        for (int kb : new int[] {KB, 1}) {
            c.open(kb == 1 ? "for (; k < k1; k++)" : "for (; k + " + kb + " <= k1; k += " + kb + ")");
            c.one("for (int t = 0; t + " + TB + " <= " + T + "; t += " + TB + ") " + forwardTile(s, op, lanes, K, L, TB, kb) + "(t, k, lo)");
            if (T % TB != 0) {
                c.line(forwardTile(s, op, lanes, K, L, T % TB, kb) + "(" + (T - T % TB) + ", k, lo)");
            }
            c.close();
        }
        s.main(chunks, (long) T * K * L, "blocks of " + KC + " outputs, every sample", c.build());
    }

    /** The helper of outputs k .. k+kb-1 of samples t0 .. t0+tb-1: tb·kb accumulators, per step tb loads of X and kb of W. */
    private static String forwardTile(StepCtx s, Full op, String lanes, int K, int L, int tb, int kb) {
        int Lv = L / VL * VL;
        String W = s.in(1), X = s.in(0);
        Code c = new Code();
        for (int i = 0; i < tb; i++) {
            for (int j = 0; j < kb; j++) {
                c.line("FloatVector a" + i + "_" + j + " = FloatVector.zero(S)");
            }
        }
        c.open("for (int l = 0; l < " + Lv + "; l += " + VL + ")");
        for (int i = 0; i < tb; i++) {
            c.line("FloatVector x" + i + " = FloatVector.fromArray(S, " + X + ", (t0 + " + i + ") * " + L + " + l)");
        }
        for (int j = 0; j < kb; j++) {
            c.line("FloatVector w" + j + " = FloatVector.fromArray(S, " + W + ", (k + " + j + ") * " + L + " + l)");
            for (int i = 0; i < tb; i++) {
                c.line("a" + i + "_" + j + " = w" + j + ".fma(x" + i + ", a" + i + "_" + j + ")");
            }
        }
        c.close();
        for (int i = 0; i < tb; i++) {
            for (int j = 0; j < kb; j++) {
                output(c, s, op, lanes, L, "a" + i + "_" + j, "s" + i + "_" + j, j, "(t0 + " + i + ") * " + L, "(t0 + " + i + ") * " + K);
            }
        }
        return s.helper("tile" + tb + "x" + kb, "Outputs k .. k+" + (kb - 1) + " of samples t0 .. t0+" + (tb - 1) + ": Σ_l W[k][l]·X[t][l] in "
                + tb + "x" + kb + " accumulators of " + VL + " lanes, each added up as the per-sample kernel does.", List.of("t0", "k", "lo"), c.build());
    }

    /**
     * Output {@code k + j} of the sample whose row of X starts at {@code xRow} and of Y at {@code yRow}, from its
     * accumulator {@code acc}: the lanes added by {@code sum8}, then the columns past the last vector in order, then
     * the bias. Both forward kernels end an output this way, so they give it the same bits.
     */
    private static void output(Code c, StepCtx s, Full op, String lanes, int L, String acc, String sum, int j, String xRow, String yRow) {
        int Lv = L / VL * VL;
        c.line(acc + ".intoArray(" + lanes + ", lo)").line("float " + sum + " = sum8(" + lanes + ", lo)");
        if (Lv < L) {
            c.one("for (int l = " + Lv + "; l < " + L + "; l++) " + sum + " += " + s.in(1) + "[(k + " + j + ") * " + L + " + l] * " + s.in(0)
                    + "[" + xRow + " + l]");
        }
        c.line(s.out(0) + "[" + yRow + " + k + " + j + "] = " + (op.bias() ? s.in(2) + "[k + " + j + "] + " : "") + sum);
    }

    /** Rows of the backward steps' register tile (samples of full_bf, outputs of full_grad). */
    static final int RB = 8;
    /** Vectors of columns of the backward steps' register tile: {@code RB x PV} accumulators. */
    static final int PV = 2;
    /** Chunks the backward steps aim at: row blocks times groups of column blocks. */
    static final int CHUNKS = 8;

    /**
     * The product both backward steps are, {@code out[r][l] = Σ_i A[r·rs + i·is] · B[i·L + l]} for rows
     * {@code r < rows}, columns {@code l < L = length}, the sum over {@code i < sum} in order from zero: full_bf
     * ({@code r} the sample t, {@code i} the output k, A = ΔY, B = W) and full_grad ({@code r} the output k,
     * {@code i} the sample t, A = ΔY read down its columns, B = X).
     */
    record Product(String a, int rs, int is, String b, String out, int rows, int sum, int length) {}

    static void backwardData(StepCtx s, FullBf bf) {
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int T = dx.n(), K = dy.c();
        int L = (int) dx.perSample();
        int[] cut = cut(T, L);
        Code c = product(s, new Product(s.in(0), K, 1, s.in(1), s.out(0), T, K, L), cut[1], "ΔX[t][l] = Σ_k ΔY[t][k]·W[k][l]");
        s.main(cut[0] * cut[1], (long) T * K * L, "blocks of " + RB + " samples x groups of columns", c.build());
    }

    static void gradient(StepCtx s, FullGrad grad) {
        Shape dy = s.inBuf(0).shape();
        Shape x = s.inBuf(1).shape();
        int T = x.n(), K = dy.c();
        int L = (int) x.perSample();
        int[] cut = cut(K, L);
        Code c = product(s, new Product(s.in(0), 1, K, s.in(1), s.out(0), K, T, L), cut[1], "ΔW[k][l] = Σ_t ΔY[t][k]·X[t][l]");
        if (grad.full().bias()) {
            c.comment("Δb[k] = Σ_t ΔY[t][k] in double, by the chunks of the first column group")
                    .open("if (g == 0)")
                    .open("for (int k = r0; k < r1; k++)")
                    .line("double bsum = 0")
                    .one("for (int t = 0; t < " + T + "; t++) bsum += " + s.in(0) + "[t * " + K + " + k]")
                    .line(s.out(1) + "[k] = (float) bsum")
                    .close().close();
        }
        s.main(cut[0] * cut[1], (long) T * K * L, "blocks of " + RB + " outputs x groups of columns: row ΔW[k] sums over t inside the chunk",
                c.build());
    }

    /** Row blocks and column groups: {@link #CHUNKS} chunks where the blocks of {@code PV·VL} columns allow. */
    private static int[] cut(int rows, int length) {
        int rowBlocks = (rows + RB - 1) / RB;
        int colBlocks = Math.max(1, length / (PV * VL));
        return new int[] {rowBlocks, Math.max(1, Math.min(colBlocks, CHUNKS / rowBlocks))};
    }

    /**
     * The main method's body for {@code p}: chunk = row block {@code chunk / groups} ({@code RB} rows, fewer in the
     * last) and column group {@code g = chunk mod groups} ({@link #cut}) (whole blocks of {@code PV·VL} columns); the last group
     * also takes the columns past them, a vector at a time, then the scalar tail. Every output element sums
     * its terms in the same order whichever chunk computes it, so the bits do not depend on the threads.
     */
    private static Code product(StepCtx s, Product p, int groups, String formula) {
        int R = p.rows(), L = p.length();
        int wide = PV * VL;
        int blocks = L / wide, Lw = blocks * wide, Lv = L / VL * VL;
        Code c = new Code();
        c.comment(formula + ": a register tile of " + RB + " rows x " + wide + " columns, the sum in order")
                .line("int r0 = chunk" + (groups > 1 ? " / " + groups : "") + " * " + RB).line("int r1 = Math.min(r0 + " + RB + ", " + R + ")")
                .line("int g = " + (groups > 1 ? "chunk % " + groups : "0"));
        List<Integer> heights = R % RB == 0 || R < RB ? List.of(Math.min(R, RB)) : List.of(RB, R % RB);
        for (int h : heights) {
            c.open(heights.size() == 1 ? "" : h == RB ? "if (r1 - r0 == " + RB + ")" : "else");
            if (blocks > 0) {
                String from = groups > 1 ? "g * " + blocks + " / " + groups + " * " + wide : "0";
                String to = groups > 1 ? "(g + 1) * " + blocks + " / " + groups + " * " + wide : String.valueOf(Lw);
                c.open("for (int l = " + from + "; l < " + to + "; l += " + wide + ")").line(tile(s, p, h, PV) + "(r0, l)").close();
            }
            if (Lv > Lw) {
                c.open("if (g == " + (groups - 1) + ")").one("for (int l = " + Lw + "; l < " + Lv + "; l += " + VL + ") " + tile(s, p, h, 1) + "(r0, l)")
                        .close();
            }
            c.close();
        }
        if (Lv < L) {
            c.open("if (g == " + (groups - 1) + ")").open("for (int r = r0; r < r1; r++)")
                    .open("for (int l = " + Lv + "; l < " + L + "; l++)")
                    .line("float a = 0f")
                    .one("for (int i = 0; i < " + p.sum() + "; i++) a = Math.fma(" + p.b() + "[i * " + L + " + l], " + p.a() + "[r * " + p.rs()
                            + " + i * " + p.is() + "], a)")
                    .line(p.out() + "[r * " + L + " + l] = a")
                    .close().close().close();
        }
        return c;
    }

    /** The helper computing rows r0 .. r0+h-1, columns l .. l+8pv-1 of {@code p}: h·pv accumulators, per term pv loads of B and h broadcasts of A. */
    private static String tile(StepCtx s, Product p, int h, int pv) {
        int L = p.length();
        Code c = new Code();
        for (int r = 0; r < h; r++) {
            for (int j = 0; j < pv; j++) {
                c.line("FloatVector a" + r + "_" + j + " = FloatVector.zero(S)");
            }
        }
        c.open("for (int i = 0; i < " + p.sum() + "; i++)").line("int bo = i * " + L + " + l").line("int ao = r0 * " + p.rs() + " + i * " + p.is());
        for (int j = 0; j < pv; j++) {
            c.line("FloatVector v" + j + " = FloatVector.fromArray(S, " + p.b() + ", bo" + ConvEmitter.plus((long) j * VL) + ")");
        }
        for (int r = 0; r < h; r++) {
            c.line((r == 0 ? "FloatVector " : "") + "g = FloatVector.broadcast(S, " + p.a() + "[ao" + ConvEmitter.plus((long) r * p.rs()) + "])");
            for (int j = 0; j < pv; j++) {
                c.line("a" + r + "_" + j + " = v" + j + ".fma(g, a" + r + "_" + j + ")");
            }
        }
        c.close();
        for (int r = 0; r < h; r++) {
            for (int j = 0; j < pv; j++) {
                c.line("a" + r + "_" + j + ".intoArray(" + p.out() + ", (r0 + " + r + ") * " + L + " + l" + ConvEmitter.plus((long) j * VL) + ")");
            }
        }
        return s.helper("tile" + h + "x" + pv, "Rows r0 .. r0+" + (h - 1) + ", columns l .. l+" + (pv * VL - 1) + ": Σ_i A[r·" + p.rs() + " + i·" + p.is()
                + "]·B[i·" + L + " + l], i = 0 .. " + (p.sum() - 1) + " in order (" + h + "x" + pv + " accumulators of " + VL + " lanes).",
                List.of("r0", "l"), c.build());
    }
}
