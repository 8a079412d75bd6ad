package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Conv;
import cnnc.ops.ConvGrad;
import java.util.ArrayList;
import java.util.List;

/**
 * The weight gradient of a 3x3 stride-1 convolution by Winograd F(2x2, 3x3), on {@code jdk.incubator.vector}.
 *
 * <p>The forward tile is {@code Y = A^T [(G g G^T) ⊙ (B^T d B)] A} ({@link WinogradEmitter}), so
 * <pre>
 *   V[ξ][n][c] = (B^T d_nc B)[ξ]         d_nc: the 4x4 input block of tile n, channel c (as the forward)
 *   D[ξ][n][k] = (A ΔY_nk A^T)[ξ]         ΔY_nk: the 2x2 output-gradient block of tile n (zero past the map)
 *   M[ξ][k][c] = Σ_n D[ξ][n][k] · V[ξ][n][c]   16 GEMMs reducing over every tile of the batch
 *   ΔW[k][c]   = G^T M[.][k][c] G
 *
 *   A = | 1  0 |   G^T = | 1  ½  ½  0 |
 *       | 1  1 |         | 0  ½ -½  0 |
 *       | 1 -1 |         | 0  ½  ½  1 |
 *       | 0 -1 |
 * </pre>
 * 16 multiplications per tile and channel pair instead of 36.
 *
 * <p>Layout: channels innermost, so that every transform and GEMM operand is a contiguous vector. A
 * phase of {@link Plan#sums} chunks, each over a fixed range of samples: per sample it copies X (zero-padded)
 * and ΔY into channel-innermost planes, transforms them into V and D of a block of samples, then adds
 * the block's GEMMs into its own partial sums {@code M_l}. The GEMM keeps a register tile of {@code P}
 * vectors of 8 input channels times {@code b} output channels ({@link ConvTiles}) and streams over the
 * block's tiles: per tile, P loads of V and b broadcasts of D feed {@code P·b} fmas. The main method then
 * adds the partial sums in the order {@code l = 0, 1, ...} and applies {@code G^T . G}. The partition
 * into chunks depends only on the batch, so the sum's order, and every bit of ΔW, is the same for any
 * thread count.
 */
final class WinogradGradEmitter {

    static final int VL = VectorConvEmitter.VL;
    /** Most partial sums (chunks of the accumulating phase), each over a fixed range of samples. */
    static final int SUMS = 8;
    /**
     * At most this many floats of partial sums (16 MB) where there are at least 2: the main method reads
     * them all, from memory when they are large (256 x 256 channels: 4 MB each; 8 of them measured 14% of
     * the step in the last phase, ConvBench).
     */
    static final int PARTIAL_FLOATS = 1 << 22;
    /** At most this many floats of V and D per block of samples (2 MB), so that they stay in the caches between transform and GEMM. */
    static final int BLOCK_FLOATS = 1 << 19;

    /**
     * The GEMM's register tile, {@code GEMM_P} vectors of input channels times {@code GEMM_B} output
     * channels, unless a tile is forced. Not the forward's cost model: with {@link #UNROLL} tiles in
     * flight, its larger tiles (4x5, 3x8: 20-24 accumulators plus 6-8 loaded vectors) crowd the 32
     * registers. Measured (ConvBench, 2 threads, batch 64; docs/performance.md) on 64, 128 and 256
     * channels: 2x6 112, 154 and 130 GFLOP/s, 2x8 101, 151, 117, 3x8 80, 107, 95, 4x5 87, 98, 99.
     */
    static final int GEMM_P = 2;
    static final int GEMM_B = 6;

    /** Forces the samples per block where it is below the cap (tests: several blocks per chunk; null: the size rule). */
    static volatile Integer blockOverride;

    private WinogradGradEmitter() {}

    /**
     * The cut: {@code th x tw} tiles per map; {@code cg} input channels rounded up to the GEMM's
     * {@code 8P}, {@code cp} the floats of V's and M's rows (and of a pixel of the copied X), {@code kr}
     * of D's rows (and of a pixel of the copied ΔY): rounded to a vector and padded by one more where they
     * would be a multiple of 128 bytes (see {@link #row}); {@code sums}
     * chunks of at most {@code per} samples; blocks of {@code sb} samples ({@code nb} tiles).
     */
    record Plan(int th, int tw, int cg, int cp, int kr, ConvTiles.Tile tile, int sums, int per, int sb, int nb) {
        int tiles() {
            return th * tw;
        }

        /** Floats of one M_l. */
        long m(int k) {
            return 16L * k * cp;
        }

        /** Floats from one plane {@code V[ξ]} of a block to the next: {@code nb · cp}, spread ({@link WinogradEmitter#spread}). */
        long vPlane() {
            return WinogradEmitter.spread((long) nb * cp);
        }

        /** Floats from one plane {@code D[ξ]} of a block to the next: {@code nb · kr}, spread. */
        long dPlane() {
            return WinogradEmitter.spread((long) nb * kr);
        }
    }

    static Plan plan(int t, int c, int k, int ho, int wo) {
        int th = (ho + 1) / 2, tw = (wo + 1) / 2;
        ConvTiles.Tile tile = ConvTiles.unlessForced(new ConvTiles.Tile(GEMM_P, Math.min(GEMM_B, k)), c, k);
        int cg = roundUp(c, VL * tile.p());
        int cp = row(cg);
        int kr = row(roundUp(k, VL));
        int sums = Math.min(t, Math.max(2, Math.min(SUMS, PARTIAL_FLOATS / (16 * k * cp))));
        int per = (t + sums - 1) / sums;
        int sb = Math.max(1, Math.min(per, BLOCK_FLOATS / (16 * th * tw * (cp + kr))));
        Integer forced = blockOverride;
        if (forced != null) {
            sb = Math.max(1, Math.min(sb, forced));
        }
        return new Plan(th, tw, cg, cp, kr, tile, sums, per, sb, sb * th * tw);
    }

    /**
     * The floats of a row of V or D holding {@code n}, a multiple of {@link #VL}: one vector more where
     * n is a multiple of 32 (128 bytes). The GEMM reads one slice of many consecutive rows; at a stride of
     * 128·2^j bytes they all fall in a few of the L1 cache's 64 sets and evict each other (measured: 128
     * channels at 28x28, ConvBench, 14% of the gradient).
     */
    static int row(int n) {
        return n % 32 == 0 ? n + VL : n;
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    static void gradient(StepCtx s, ConvGrad grad) {
        Conv op = grad.conv();
        Shape dy = s.inBuf(0).shape();
        Shape x = s.inBuf(1).shape();
        int T = x.n(), C = x.c(), K = dy.c(), Ho = dy.h(), Wo = dy.w();
        Plan p = plan(T, C, K, Ho, Wo);
        int xw = 2 * p.tw() + 2, yw = 2 * p.tw();
        long xh = (long) (2 * p.th() + 2) * xw * p.cp(), yh = (long) 2 * p.th() * yw * p.kr();
        long vs = 16L * p.vPlane(), ds = 16L * p.dPlane();
        String xs = s.keptScratch("xh", p.sums() * xh);
        String ys = s.keptScratch("yh", p.sums() * yh);
        String v = s.scratch("v", p.sums() * vs);
        String d = s.scratch("dd", p.sums() * ds);
        String m = s.scratch("m", p.sums() * p.m(K));
        String copy = copy(s, op, x, dy, p, xs, ys, xw, yw);
        String vin = inputTransform(s, C, p, xs, v, xw);
        String din = gradientTransform(s, K, p, ys, d, yw);
        List<String> gemms = new ArrayList<>();
        int b0 = p.tile().b(), full = K / b0 * b0;
        gemms.add(gemm(s, K, p, v, d, m, b0));
        if (full < K) {
            gemms.add(gemm(s, K, p, v, d, m, K - full));
        }
        int P = p.tile().p();
        Code c = new Code();
        c.line("int t0 = chunk * " + T + " / " + p.sums()).line("int t1 = (chunk + 1) * " + T + " / " + p.sums())
                .line("int xo = chunk * " + xh).line("int yo = chunk * " + yh)
                .line("int vo = chunk * " + vs).line("int dof = chunk * " + ds).line("int mo = chunk * " + p.m(K))
                .loop("e", 0, p.m(K), m + "[mo + e] = 0f")
                .open("for (int b0 = t0; b0 < t1; b0 += " + p.sb() + ")")
                .line("int b1 = Math.min(b0 + " + p.sb() + ", t1)")
                .comment("V = B^T d B and D = A ΔY A^T of every tile of samples b0 .. b1-1")
                .open("for (int t = b0; t < b1; t++)")
                .line(copy + "(t, xo, yo)")
                .line(vin + "(xo, vo, (t - b0) * " + p.tiles() + ")")
                .line(din + "(yo, dof, (t - b0) * " + p.tiles() + ")")
                .close()
                .line("int nb = (b1 - b0) * " + p.tiles())
                .comment("M_chunk[ξ] += D[ξ]^T V[ξ]: " + P * VL + " input channels x " + b0 + " output channels at a time, tiles summed in order")
                .open("for (int xi = 0; xi < 16; xi++)")
                .open("for (int c = 0; c < " + p.cg() + "; c += " + P * VL + ")")
                .line("int v = vo + xi * " + p.vPlane() + " + c")
                .line("int d = dof + xi * " + p.dPlane())
                .line("int m = mo + xi * " + (long) K * p.cp() + " + c")
                .one("for (int k = 0; k < " + full + "; k += " + b0 + ") " + gemms.get(0) + "(nb, v, d + k, m + k * " + p.cp() + ")");
        if (full < K) {
            c.line(gemms.get(1) + "(nb, v, d + " + full + ", m + " + (long) full * p.cp() + ")");
        }
        c.close().close().close();
        s.phaseOver("acc", p.sums(), (long) T * K * C * Ho * Wo * 9, "M_chunk[ξ][k][c] = Σ_n D[ξ][n][k] · V[ξ][n][c] over the tiles n"
                + " of samples chunk·" + T + "/" + p.sums() + " .. (chunk+1)·" + T + "/" + p.sums() + " - 1 (a fixed range: the same"
                + " partial sums for any thread count), in blocks of " + p.sb() + " sample(s)", c.build());
        s.kernel = "winograd F(2x2,3x3) gradient, Vector API, GEMM register tile " + P * VL + " input x " + b0 + " output channels, "
                + p.sums() + " partial sums over fixed sample ranges, blocks of " + p.sb() + " sample(s) (" + p.nb() + " tiles)";
        finish(s, op, p, T, C, K, Ho * Wo, m);
    }

    /** The helper copying X[t] (zero-padded) and ΔY[t] into channel-innermost planes; the pads are never written and stay zero. */
    private static String copy(StepCtx s, Conv op, Shape x, Shape dy, Plan p, String xs, String ys, int xw, int yw) {
        int C = x.c(), H = x.h(), W = x.w(), K = dy.c(), Ho = dy.h(), Wo = dy.w();
        Code c = new Code();
        c.comment("row by row: a row's channel-innermost pixels (" + W + " x " + p.cp() + " floats) stay in L1 while every channel is written into them");
        c.open("for (int i = 0; i < " + H + "; i++)")
                .open("for (int c = 0; c < " + C + "; c++)")
                .line("int x = (t * " + C + " + c) * " + H * W + " + i * " + W)
                .line("int h = xo + ((i" + ConvEmitter.plus(op.pt()) + ") * " + xw + ConvEmitter.plus(op.pl()) + ") * " + p.cp() + " + c")
                .one("for (int j = 0; j < " + W + "; j++) " + xs + "[h + j * " + p.cp() + "] = " + s.in(1) + "[x + j]")
                .close().close();
        c.open("for (int i = 0; i < " + Ho + "; i++)")
                .open("for (int k = 0; k < " + K + "; k++)")
                .line("int y = (t * " + K + " + k) * " + Ho * Wo + " + i * " + Wo)
                .line("int h = yo + i * " + (long) yw * p.kr() + " + k")
                .one("for (int j = 0; j < " + Wo + "; j++) " + ys + "[h + j * " + p.kr() + "] = " + s.in(0) + "[y + j]")
                .close().close();
        return s.helper("copy", "Xh[r][col][c] = X[t][c][r - " + op.pt() + "][col - " + op.pl() + "] (planes of " + (2 * p.th() + 2) + "x"
                + xw + " x " + p.cp() + " channels at xo) and ΔYh[i][j][k] = ΔY[t][k][i][j] (" + 2 * p.th() + "x" + yw + " x " + p.kr()
                + " at yo); places past the data stay zero.", List.of("t", "xo", "yo"), c.build());
    }

    /** {@code (x0 - x2, x1 + x2, x2 - x1, x1 - x3)}: B^T along one direction. */
    private static String[] bt(String x0, String x1, String x2, String x3) {
        return new String[] {x0 + ".sub(" + x2 + ")", x1 + ".add(" + x2 + ")", x2 + ".sub(" + x1 + ")", x1 + ".sub(" + x3 + ")"};
    }

    /** The helper writing V of one sample's tiles (at tile n0 of the block) from its padded channel-innermost plane. */
    private static String inputTransform(StepCtx s, int C, Plan p, String xs, String v, int xw) {
        long stride = p.vPlane();
        Code c = tileLoops(p, "xo", xw, "vo", p.cp(), "c", roundUp(C, VL));
        c.comment("row r of the 4x4 block, 8 channels a vector; B^T along it");
        for (int r = 0; r < 4; r++) {
            for (int q = 0; q < 4; q++) {
                c.line("FloatVector d" + r + q + " = FloatVector.fromArray(S, " + xs + ", h + c" + ConvEmitter.plus(((long) r * xw + q) * p.cp()) + ")");
            }
            String[] w = bt("d" + r + "0", "d" + r + "1", "d" + r + "2", "d" + r + "3");
            for (int q = 0; q < 4; q++) {
                c.line("FloatVector w" + r + q + " = " + w[q]);
            }
        }
        c.comment("B^T down every column: V[4a + b][n][c ..]");
        for (int b = 0; b < 4; b++) {
            String[] o = bt("w0" + b, "w1" + b, "w2" + b, "w3" + b);
            for (int a = 0; a < 4; a++) {
                c.line(o[a] + ".intoArray(" + v + ", n + c" + ConvEmitter.plus((4 * a + b) * stride) + ")");
            }
        }
        c.close().close().close();
        return s.helper("vin", "V[ξ][n0 + n][c] = (B^T d B)[ξ] of every tile n of one sample (d: its 4x4 block of the padded X at xo),"
                + " every input channel c.", List.of("xo", "vo", "n0"), c.build());
    }

    /**
     * The three loops both transforms open (closed by the caller): over one sample's tiles (ti, tj) and
     * vectors of channel {@code ch} below {@code chEnd}; {@code h} is the tile's first pixel in the
     * channel-innermost plane at {@code from} ({@code rowWidth} pixels a row, {@code per} floats a
     * pixel), {@code n} its row in the transformed block at {@code to}.
     */
    private static Code tileLoops(Plan p, String from, int rowWidth, String to, int per, String ch, int chEnd) {
        Code c = new Code();
        c.open("for (int ti = 0; ti < " + p.th() + "; ti++)")
                .open("for (int tj = 0; tj < " + p.tw() + "; tj++)")
                .line("int h = " + from + " + (ti * " + 2 * rowWidth + " + 2 * tj) * " + per)
                .line("int n = " + to + " + (n0 + ti * " + p.tw() + " + tj) * " + per)
                .open("for (int " + ch + " = 0; " + ch + " < " + chEnd + "; " + ch + " += " + VL + ")");
        return c;
    }

    /** The helper writing D = A ΔY A^T of one sample's tiles (at tile n0 of the block). */
    private static String gradientTransform(StepCtx s, int K, Plan p, String ys, String d, int yw) {
        long stride = p.dPlane();
        Code c = tileLoops(p, "yo", yw, "dof", p.kr(), "k", p.kr());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                c.line("FloatVector y" + i + j + " = FloatVector.fromArray(S, " + ys + ", h + k" + ConvEmitter.plus(((long) i * yw + j) * p.kr()) + ")");
            }
        }
        c.comment("A ΔY: rows (y0, y0 + y1, y0 - y1, -y1) of both columns");
        for (int j = 0; j < 2; j++) {
            c.line("FloatVector z0" + j + " = y0" + j)
                    .line("FloatVector z1" + j + " = y0" + j + ".add(y1" + j + ")")
                    .line("FloatVector z2" + j + " = y0" + j + ".sub(y1" + j + ")")
                    .line("FloatVector z3" + j + " = y1" + j + ".neg()");
        }
        c.comment("(A ΔY) A^T, the same along each row: D[4a + b][n][k ..]");
        for (int a = 0; a < 4; a++) {
            String[] o = {"z" + a + "0", "z" + a + "0.add(z" + a + "1)", "z" + a + "0.sub(z" + a + "1)", "z" + a + "1.neg()"};
            for (int b = 0; b < 4; b++) {
                c.line(o[b] + ".intoArray(" + d + ", n + k" + ConvEmitter.plus((4 * a + b) * stride) + ")");
            }
        }
        c.close().close().close();
        return s.helper("din", "D[ξ][n0 + n][k] = (A ΔY A^T)[ξ] of every tile n of one sample (ΔY: its 2x2 block of the plane at yo,"
                + " zero past the map), every output channel k.", List.of("yo", "dof", "n0"), c.build());
    }

    /** Tiles per iteration of a GEMM helper's loop: fewer loop overheads per fma, the same order of the sum. */
    static final int UNROLL = 2;

    /** The GEMM helper: M[ξ][k .. k+b-1][c .. c+8P-1] += Σ_n D[ξ][n][k ..] · V[ξ][n][c ..], n = 0 .. nb-1 in order. */
    private static String gemm(StepCtx s, int K, Plan p, String v, String d, String m, int b) {
        int P = p.tile().p();
        Code c = new Code();
        for (int a = 0; a < b; a++) {
            for (int j = 0; j < P; j++) {
                c.line("FloatVector a" + j + "_" + a + " = FloatVector.fromArray(S, " + m + ", m" + ConvEmitter.plus((long) a * p.cp() + (long) j * VL) + ")");
            }
        }
        c.line("FloatVector g").line("int n = 0");
        c.open("for (; n + " + (UNROLL - 1) + " < nb; n += " + UNROLL + ", v += " + (long) UNROLL * p.cp() + ", d += " + UNROLL * p.kr() + ")");
        for (int r = 0; r < UNROLL; r++) {
            gemmStep(c, p, v, d, b, (long) r * p.cp(), (long) r * p.kr());
        }
        c.close();
        c.open("if (n < nb)");
        gemmStep(c, p, v, d, b, 0, 0);
        c.close();
        for (int a = 0; a < b; a++) {
            for (int j = 0; j < P; j++) {
                c.line("a" + j + "_" + a + ".intoArray(" + m + ", m" + ConvEmitter.plus((long) a * p.cp() + (long) j * VL) + ")");
            }
        }
        return s.helper("mm" + b, "M[ξ][k .. k+" + (b - 1) + "][c .. c+" + (P * VL - 1) + "] += Σ_n D[ξ][n][k ..] · V[ξ][n][c ..], n = 0 .. nb-1"
                + " in order: a register tile of " + P * VL + " input x " + b + " output channels (v: V[ξ][0][c], d: D[ξ][0][k], m: M[ξ][k][c]).",
                List.of("nb", "v", "d", "m"), c.build());
    }

    /** One tile of the GEMM: P loads of V, b broadcasts of D, P·b fmas ({@code dv}, {@code dd}: the tile's offsets). */
    private static void gemmStep(Code c, Plan p, String v, String d, int b, long dv, long dd) {
        int P = p.tile().p();
        String sfx = dv > 0 ? "_" + dv : "";
        for (int j = 0; j < P; j++) {
            c.line("FloatVector v" + j + sfx + " = FloatVector.fromArray(S, " + v + ", v" + ConvEmitter.plus(dv + (long) j * VL) + ")");
        }
        for (int a = 0; a < b; a++) {
            c.line("g = FloatVector.broadcast(S, " + d + "[d" + ConvEmitter.plus(dd + a) + "])");
            for (int j = 0; j < P; j++) {
                c.line("a" + j + "_" + a + " = v" + j + sfx + ".fma(g, a" + j + "_" + a + ")");
            }
        }
    }

    /** {@code (x0 + ½(x1 + x2), ½(x1 - x2), ½(x1 + x2) + x3)}: G^T along one direction. */
    private static String[] gt(String x0, String x1, String x2, String x3) {
        String h = x1 + ".add(" + x2 + ").mul(0.5f)";
        return new String[] {x0 + ".add(" + h + ")", x1 + ".sub(" + x2 + ").mul(0.5f)", h + ".add(" + x3 + ")"};
    }

    /**
     * The main method: ΔW[k][c] = G^T (Σ_l M_l[.][k][c]) G and Δb. A chunk owns a contiguous range of
     * output channels, whose rows of every M_l are contiguous: it first adds them into M_0 in the order
     * l = 1, 2, ... (two long sequential streams at a time, where reading all partials for one channel
     * pair at once would be {@code 16·sums} streams), then transforms.
     */
    private static void finish(StepCtx s, Conv op, Plan p, int T, int C, int K, int hw, String m) {
        int chunks = Math.min(K, 16);
        String st = s.scratch("st", chunks * 9L * VL);
        long plane = (long) K * p.cp();
        Code c = new Code();
        c.line("int so = chunk * " + 9 * VL)
                .line("int k0 = chunk * " + K + " / " + chunks).line("int k1 = (chunk + 1) * " + K + " / " + chunks);
        if (p.sums() > 1) {
            c.comment("M_0[ξ][k0 .. k1-1][.] += M_l[ξ][k0 .. k1-1][.] for l = 1 .. " + (p.sums() - 1) + " in order");
            c.open("for (int l = 1; l < " + p.sums() + "; l++)")
                    .open("for (int xi = 0; xi < 16; xi++)")
                    .line("int a = xi * " + plane)
                    .line("int b = a + l * " + p.m(K))
                    .one("for (int e = k0 * " + p.cp() + "; e < k1 * " + p.cp() + "; e += " + VL + ") FloatVector.fromArray(S, " + m
                            + ", a + e).add(FloatVector.fromArray(S, " + m + ", b + e)).intoArray(" + m + ", a + e)")
                    .close().close();
        }
        c.open("for (int k = k0; k < k1; k++)")
                .open("for (int c = 0; c < " + C + "; c += " + VL + ")")
                .line("int m = k * " + p.cp() + " + c");
        for (int xi = 0; xi < 16; xi++) {
            c.line("FloatVector u" + xi + " = FloatVector.fromArray(S, " + m + ", m" + ConvEmitter.plus(xi * plane) + ")");
        }
        c.comment("G^T M: rows (M0 + ½(M1 + M2), ½(M1 - M2), ½(M1 + M2) + M3) of every column");
        for (int b = 0; b < 4; b++) {
            String[] h = gt("u" + b, "u" + (4 + b), "u" + (8 + b), "u" + (12 + b));
            for (int r = 0; r < 3; r++) {
                c.line("FloatVector h" + r + b + " = " + h[r]);
            }
        }
        c.comment("(G^T M) G, the same along each row: ΔW[k][c ..][p][q], staged");
        for (int r = 0; r < 3; r++) {
            String[] w = gt("h" + r + "0", "h" + r + "1", "h" + r + "2", "h" + r + "3");
            for (int q = 0; q < 3; q++) {
                c.line(w[q] + ".intoArray(" + st + ", so" + ConvEmitter.plus((3L * r + q) * VL) + ")");
            }
        }
        c.line("int w = (k * " + C + " + c) * 9")
                .open("for (int q = 0; q < Math.min(" + VL + ", " + C + " - c); q++)")
                .one("for (int tap = 0; tap < 9; tap++) " + s.out(0) + "[w + q * 9 + tap] = " + st + "[so + tap * " + VL + " + q]")
                .close();
        c.close();
        if (op.bias()) {
            ConvEmitter.biasGradient(c, s, T, K, hw);
        }
        c.close();
        s.main(chunks, (long) K * p.cp() * (16L * p.sums() + 40), "output channels k = chunk·" + K + "/" + chunks + " .. (chunk+1)·"
                + K + "/" + chunks + " - 1: ΔW[k][c] = G^T M G"
                + " of the " + p.sums() + " partial sums M_l added in order l = 0 .. " + (p.sums() - 1)
                + (op.bias() ? "; Δb[k] = Σ ΔY[.][k] in double" : ""), c.build());
    }
}
