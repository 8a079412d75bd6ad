package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import java.util.ArrayList;
import java.util.List;

/**
 * Winograd F(m x m, 3x3), {@code m} = 2 or 4, for 3x3 stride-1 convolutions (forward, and conv_bf: a
 * forward convolution of zero-padded ΔY with the rotated, transposed kernel) on {@code jdk.incubator.vector}.
 *
 * <p>Every m x m block of output pixels (a <em>tile</em>) is computed from the α x α input block under
 * it, α = m + 2 ({@link WinogradMatrices} has G, B^T and A^T for both sizes):
 * <pre>
 *   U[ξ][c][k] = (G g G^T)[ξ]     g = the 3x3 kernel of output k, input c      (once per step, in double)
 *   V[ξ][c][n] = (B^T d B)[ξ]     d = the α x α input block of tile n, channel c
 *   M[ξ][k][n] = Σ_c U[ξ][c][k] · V[ξ][c][n]                                    (α² GEMMs, ξ = 0 .. α²-1)
 *   Y[k][tile n] = A^T M[.][k][n] A  (+ b[k])
 * </pre>
 * α² multiplications per tile and channel pair instead of 9m²: 2.25x fewer than the direct kernel for
 * F(2x2), 4x fewer for F(4x4).
 *
 * <p>Layouts, chosen so every vector load is contiguous: a phase per sample copies the input into
 * planes of {@code m·th + 2} zero-padded rows whose columns lie in m phases
 * ({@code D^r[e] = Xp[m·e + r]}, r = 0 .. m-1), so column {@code m·j + s} of tiles {@code j .. j+7}
 * ({@code s < α}) is the vector {@code D^(s mod m)[j + s / m ..]}. The main phase takes blocks of whole
 * tile rows ({@link Plan}); per block, V and M hold the block's tiles contiguous ({@code V[ξ][c][n]}),
 * and the GEMM micro-kernel keeps a register tile of {@code P} vectors of 8 tiles times {@code b}
 * output channels ({@link ConvTiles}): per input channel, P loads of V and b broadcasts of U feed
 * {@code P·b} fmas, summing the channels in a fixed order. The transforms go through a small staging
 * area, one direction at a time (rows, then columns). Every tile is computed the same whichever chunk
 * and thread runs it, so results are bit-identical for any thread count. Vector lanes past the end of
 * a tile row compute garbage that the next row overwrites or that is never read.
 */
final class WinogradEmitter {

    static final int VL = VectorConvEmitter.VL;
    /** Most chunks of the main phase: each owns a slice of the V, M and staging scratch. */
    static final int LANES = 16;
    /**
     * At most this many floats of V and M per block (its tiles times {@code α²·(C + K)}): 512 KB, so that
     * they and a GEMM's {@code U[ξ]} stay in a core's 1 MB L2 from the input transform to the output one.
     */
    static final int BLOCK_FLOATS = 16 * 8192;
    /**
     * F(4x4) has {@code 36·(C + K)} floats per tile: on 8x8 maps of 256 channels 512 KB hold 7 tiles, too few
     * for its GEMM's register tile; it takes at least this many tiles per block where the batch allows
     * (V and M then stream from L3). A first budget of 2.25 MB for every F(4x4) block made its transforms
     * on 32x32 maps twice as slow as F(2x2)'s (docs/performance.md).
     */
    static final int MIN_TILES_4 = 24;

    /**
     * Most floats of a chunk's staging area in the weight transform: U of a run of input channels for one
     * block of output channels, every ξ, before each plane's part is copied into U (16 KB: L1).
     */
    static final int STAGE_FLOATS = 4096;

    /**
     * The GEMM's register tile, at most {@code GEMM_P} vectors of tiles times {@code GEMM_B} output channels,
     * unless a tile is forced. Not the direct kernel's cost model: the GEMM's loop over input channels is
     * unrolled by two, so a tile holds {@code 2p} loaded vectors besides its {@code p·b} accumulators, and
     * the model's 3x8 (24 + 6 + a broadcast: 31 of the 32 registers) spills. Measured (GEMM alone: the
     * transforms edited out of the generated forward, 2 threads, batch 64; docs/performance.md), ms per
     * step on 64 channels at 32x32, 128 at 16x16 and 256 at 8x8: 3x6 12.1-12.5, 11.8-13.4 and 11.2;
     * 3x8 15.7-16.1, 16.5 and 15.1-16.2; on 256 channels also 2x6 15.4, 4x4 17.0 and 2x8 18.5.
     */
    static final int GEMM_P = 3;
    static final int GEMM_B = 6;

    private WinogradEmitter() {}

    /**
     * {@code n} floats rounded up to an odd number of 64-byte lines: the distance between planes of V or M
     * (and of the gradient's V and D, {@link WinogradGradEmitter}).
     * A transform writes (or reads) one vector in each of the α² planes per tile vector; at a distance that is
     * a multiple of 4 KB (64 channels times a multiple of 16 tiles) the α² lines fall in one set of the L1
     * cache (64 sets of 12) and evict each other. An odd number of lines puts up to 64 planes in 64 sets.
     */
    static long spread(long n) {
        long lines = (n + 15) / 16;
        return (lines % 2 == 0 ? lines + 1 : lines) * 16;
    }

    /** The GEMM's tile for blocks of {@code tiles} tiles and {@code co} output channels: fewer vectors where the block is small. */
    static ConvTiles.Tile gemmTile(long tiles, int co) {
        return ConvTiles.unlessForced(new ConvTiles.Tile((int) Math.min(GEMM_P, Math.ceilDiv(tiles, VL)), Math.min(GEMM_B, co)), tiles, co);
    }

    /**
     * One convolution: input {@code in} ({@code t x ci x h x w}) with pads {@code pt, pl} above and to the
     * left, output {@code out} ({@code t x co x ho x wo}); the 3x3 kernel of output o, input i at
     * {@code w[o·oStride + i·iStride + tap]}, {@code tap = 3p + q} or {@code 8 - tap} when rotated;
     * output tiles of {@code m x m} pixels.
     */
    record Spec(String in, int t, int ci, int h, int w, int pt, int pl, String out, int co, int ho, int wo, String weights,
                int oStride, int iStride, boolean rotated, String bias, int m) {
        /** Points of the transform: α = m + 2. */
        int alpha() {
            return m + 2;
        }

        /** {@code F(m x m,3x3)}, for comments. */
        String name() {
            return "F(" + m + "x" + m + ",3x3)";
        }
    }

    /**
     * How the main phase cuts the work: blocks of {@code rows} tile rows ({@code rows · tw} tiles),
     * {@code lanes} chunks taking every {@code lanes}-th block, and the GEMM's register tile.
     */
    record Plan(int m, int th, int tw, int rows, int blocks, int lanes, ConvTiles.Tile tile, int nl, int ns) {
        /** Floats of one chunk's scratch: V, M ({@code α²} planes each) and the staging area. */
        long lane(int ci, int co) {
            return (long) (m + 2) * (m + 2) * (vPlane(ci) + mPlane(co)) + stage();
        }

        /** Floats from one plane {@code V[ξ]} to the next: {@code ci · ns}, spread ({@link WinogradEmitter#spread}). */
        long vPlane(int ci) {
            return spread((long) ci * ns);
        }

        /** Floats from one plane {@code M[ξ]} to the next: {@code co · ns}, spread. */
        long mPlane(int co) {
            return spread((long) co * ns);
        }

        /** Floats of the staging area: α² vectors for the input transform, α·m + m² for the output one. */
        long stage() {
            int a = m + 2;
            return (long) Math.max(a * a, a * m + m * m) * VL;
        }
    }

    /**
     * The plan with the cheapest GEMM per tile ({@link ConvTiles#cost}: a block of tiles is computed in
     * whole vectors of {@code 8P} tiles, so {@code rows · tw} that {@code 8P} divides wastes nothing), among
     * blocks whose V and M fit {@link #BLOCK_FLOATS} (or of {@link #MIN_TILES_4} tiles for F(4x4)) and leave at least 8 blocks
     * where the batch allows; the largest such block on a tie.
     */
    static Plan plan(int m, int t, int ci, int co, int ho, int wo) {
        int th = (ho + m - 1) / m, tw = (wo + m - 1) / m;
        int tileRows = t * th;
        int xis = (m + 2) * (m + 2);
        int most = Math.max(1, BLOCK_FLOATS / (xis * (ci + co)) / tw);
        if (m == 4) { // at least 24 tiles (a 3x8 register tile) even where they outgrow L2 (many channels on small maps)
            most = Math.max(most, Math.ceilDiv(MIN_TILES_4, tw));
        }
        most = Math.min(most, Math.max(1, tileRows / 8)); // at least 8 blocks where the map allows, for the threads
        int rows = most;
        ConvTiles.Tile tile = null;
        double best = Double.MAX_VALUE;
        for (int r = most; r >= 1; r--) {
            ConvTiles.Tile c = gemmTile((long) r * tw, co);
            double perTile = ConvTiles.cost((long) r * tw, co, c.p(), c.b()) / ((double) r * tw);
            if (perTile < best * (1 - 1e-9)) {
                best = perTile;
                rows = r;
                tile = c;
            }
        }
        int blocks = (tileRows + rows - 1) / rows;
        int lanes = Math.min(blocks, LANES);
        int step = VL * tile.p();
        int nl = (rows * tw + step - 1) / step * step;
        return new Plan(m, th, tw, rows, blocks, lanes, tile, nl, nl + VL);
    }

    /** The forward convolution with output tiles of {@code m x m} (2 or 4). */
    static void forward(StepCtx s, Conv op, int m) {
        Shape x = s.inBuf(0).shape();
        Shape y = s.outBuf(0).shape();
        emit(s, new Spec(s.in(0), x.n(), x.c(), x.h(), x.w(), op.pt(), op.pl(), s.out(0), y.c(), y.h(), y.w(), s.in(1),
                x.c() * 9, 9, false, op.bias() ? s.in(2) : null, m), "forward");
    }

    /** Backward-data with output tiles of {@code m x m} (2 or 4). */
    static void backwardData(StepCtx s, ConvBf bf, int m) {
        Conv op = bf.conv();
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        // ΔX = conv(ΔY padded by (2 - Pt, 2 - Pl) above and left, V[c][k] = rot180(W[k][c]))
        emit(s, new Spec(s.in(0), dy.n(), dy.c(), dy.h(), dy.w(), 2 - op.pt(), 2 - op.pl(), s.out(0), dx.c(), dx.h(), dx.w(),
                s.in(1), 9, dx.c() * 9, true, null, m), "backward-data, ΔY's channels k as the inputs and ΔX's c as the outputs");
    }

    private static void emit(StepCtx s, Spec k, String what) {
        int m = k.m(), xis = k.alpha() * k.alpha();
        Plan p = plan(m, k.t(), k.ci(), k.co(), k.ho(), k.wo());
        int part = p.tw() + 1, rw = m * part, hr = m * p.th() + 2;
        String d = padPhase(s, k, part, rw, hr);
        String u = weightPhase(s, k, p.tile().b());
        String wino = s.scratch("wino", p.lanes() * p.lane(k.ci(), k.co()));
        String in = inputTransform(s, k, p, d, wino, part, rw, hr);
        List<String> gemms = gemms(s, k, p, u, wino);
        String out = outputTransform(s, k, p, wino);
        int P = p.tile().p(), b0 = p.tile().b();
        long vSize = xis * p.vPlane(k.ci());
        Code c = new Code();
        c.line("int vo = chunk * " + p.lane(k.ci(), k.co()))
                .line("int mo = vo + " + vSize)
                .open("for (int blk = chunk; blk < " + p.blocks() + "; blk += " + p.lanes() + ")")
                .line("int g0 = blk * " + p.rows())
                .line("int g1 = Math.min(g0 + " + p.rows() + ", " + k.t() * p.th() + ")")
                .line("int nl = ((g1 - g0) * " + p.tw() + " + " + (VL * P - 1) + ") / " + VL * P + " * " + VL * P)
                .comment("V = B^T d B of every tile and input channel of the block")
                .one("for (int g = g0; g < g1; g++) " + in + "(g, (g - g0) * " + p.tw() + ", vo)")
                .comment("M[ξ] = U[ξ] V[ξ]: output channels in blocks of " + b0 + ", " + P * VL + " tiles at a time, channels summed in order")
                .open("for (int xi = 0; xi < " + xis + "; xi++)")
                .open("for (int n = 0; n < nl; n += " + VL * P + ")")
                .line("int v = vo + xi * " + p.vPlane(k.ci()) + " + n")
                .line("int m = mo + xi * " + p.mPlane(k.co()) + " + n")
                .line("int uo = xi * " + (long) k.ci() * k.co());
        int full = k.co() / b0 * b0;
        c.one("for (int o = 0; o < " + full + "; o += " + b0 + ") " + gemms.get(0) + "(uo + " + ConvEmitter.times("o", k.ci()) + ", v, m + o * "
                + p.ns() + ")");
        if (full < k.co()) {
            c.line(gemms.get(1) + "(uo + " + (long) full * k.ci() + ", v, m + " + (long) full * p.ns() + ")");
        }
        c.close().close()
                .comment("Y = A^T M A" + (k.bias() != null ? " + b" : "") + " of every tile and output channel of the block")
                .one("for (int g = g0; g < g1; g++) " + out + "(g, (g - g0) * " + p.tw() + ", mo)")
                .close();
        s.kernel = "winograd " + k.name() + ", Vector API, GEMM register tile " + P * VL + " tiles x " + b0 + " channels, blocks of "
                + p.rows() + " tile rows (" + p.rows() * p.tw() + " tiles), " + p.lanes() + " chunks";
        s.main(p.lanes(), (long) k.t() * k.co() * k.ci() * k.ho() * k.wo() * 9, what + "; Winograd " + k.name() + " on " + p.th() + "x"
                + p.tw() + " tiles per map; chunk l takes blocks l, l+" + p.lanes() + ", ... of " + p.rows() + " tile rows, "
                + p.blocks() + " blocks in all, with its own slice of " + wino, c.build(), false);
    }

    /**
     * The phase that copies {@code in} into the column-phase padded planes D, one sample per chunk,
     * and writes the pads' zeros (rows above and below the data, the columns each phase's row leaves
     * out): D's memory is shared with other steps ({@link ScratchSlots}), so nothing in it lasts.
     */
    private static String padPhase(StepCtx s, Spec k, int part, int rw, int hr) {
        int m = k.m();
        int plane = hr * rw;
        int pl = k.pl();
        if (k.pt() + k.h() > hr) {
            throw new IllegalStateException(s.name + ": a " + k.h() + "x" + k.w() + " map does not fit planes of " + hr + "x" + rw);
        }
        // slack: the vectors of the last tile row read up to 8 lanes past its plane
        String d = s.scratch("d", (long) k.t() * k.ci() * plane + 2L * VL);
        int below = (k.pt() + k.h()) * rw;
        Code c = new Code();
        c.line("int t = chunk");
        c.open("for (int c = 0; c < " + k.ci() + "; c++)")
                .line("int x = (t * " + k.ci() + " + c) * " + k.h() * k.w())
                .line("int z = (t * " + k.ci() + " + c) * " + plane);
        if (k.pt() > 0) {
            c.one("for (int e = 0; e < " + (long) k.pt() * rw + "; e++) " + d + "[z + e] = 0f");
        }
        if (below < plane) {
            c.one("for (int e = " + below + "; e < " + plane + "; e++) " + d + "[z + e] = 0f");
        }
        c.line("int d = z" + ConvEmitter.plus((long) k.pt() * rw))
                .open("for (int i = 0; i < " + k.h() + "; i++, x += " + k.w() + ", d += " + rw + ")");
        for (int r = 0; r < m; r++) {
            // D^r[e] = Xp[m·e + r] = X[m·e + r - pl] for the e that land on the data
            int lo = Math.max(0, Math.ceilDiv(pl - r, m)), hi = Math.floorDiv(k.w() - 1 + pl - r, m) + 1;
            if (hi > part) {
                throw new IllegalStateException(s.name + ": a " + k.h() + "x" + k.w() + " map does not fit planes of " + hr + "x" + rw);
            }
            String row = d + "[d" + ConvEmitter.plus((long) r * part) + " + e]";
            if (lo < hi) {
                c.one("for (int e = " + lo + "; e < " + hi + "; e++) " + row + " = " + k.in() + "[x + " + ConvEmitter.times("e", m)
                        + ConvEmitter.plus(r - pl) + "]");
            }
            if (Math.min(lo, part) > 0) {
                c.one("for (int e = 0; e < " + Math.min(lo, part) + "; e++) " + row + " = 0f");
            }
            if (Math.max(lo, hi) < part) {
                c.one("for (int e = " + Math.max(lo, hi) + "; e < " + part + "; e++) " + row + " = 0f");
            }
        }
        c.close().close();
        s.phase("pad", k.t(), (long) k.t() * k.ci() * k.h() * k.w(), "copies " + k.in() + "[t] into planes of " + hr + " rows x ("
                + m + " column phases of " + part + ": D^r[e] = padded column " + m + "e + r), data from row " + k.pt()
                + " and padded column " + pl + ", zeros in the pads", c.build());
        return d;
    }

    /**
     * The phase computing {@code U[ξ][o / b][i][o % b] = (G g G^T)[ξ]} in double and rounding once, output
     * channels split over chunks. U is blocked by the GEMM's {@code b} output channels (the last block
     * narrower when b does not divide them) so that a GEMM helper's broadcasts read one contiguous run.
     */
    private static String weightPhase(StepCtx s, Spec k, int b0) {
        int ci = k.ci(), co = k.co(), m = k.m(), a = k.alpha();
        // the forward's U depends on the weights alone: kept, and computed again only when they change (an inference
        // class's weights change between calls only when its caller writes them); conv_bf runs right after the weights'
        // last update and again only after the next, so its U is recomputed every step in shared scratch
        boolean cached = !k.rotated();
        String u = cached ? s.keptScratch("u", (long) a * a * ci * co, "U of the weights that " + s.name + "u_seen holds")
                : s.scratch("u", (long) a * a * ci * co);
        int blocks = Math.ceilDiv(co, b0);
        int chunks = Math.min(blocks, 16);
        int xis = a * a;
        int ib = Math.max(1, Math.min(ci, STAGE_FLOATS / (xis * b0))); // input channels per staged run
        int run = ib * b0;
        String st = s.scratch("ust", (long) chunks * xis * run);
        long stride = (long) ci * co;
        Code c = new Code();
        // a chunk writes whole blocks of b0 output channels, each a contiguous range of every plane of U, so no cache
        // line of U is written by two threads; its staging area is its own slice of st
        c.line("int t = " + ConvEmitter.times("chunk", xis * run))
                .open("for (int ob = chunk; ob < " + blocks + "; ob += " + chunks + ")")
                .line("int o0 = " + ConvEmitter.times("ob", b0))
                .line("int bw = " + (co % b0 == 0 ? String.valueOf(b0) : "Math.min(" + b0 + ", " + co + " - o0)"))
                .open("for (int i0 = 0; i0 < " + ci + "; i0 += " + ib + ")")
                .line("int i1 = " + (ci % ib == 0 ? "i0 + " + ib : "Math.min(i0 + " + ib + ", " + ci + ")"))
                .open("for (int i = i0; i < i1; i++)")
                .open("for (int o = o0; o < o0 + bw; o++)")
                .line("int w = o * " + k.oStride() + " + i * " + k.iStride());
        for (int p = 0; p < 3; p++) {
            for (int q = 0; q < 3; q++) {
                int tap = k.rotated() ? 8 - (3 * p + q) : 3 * p + q;
                c.line("double g" + p + q + " = " + k.weights() + "[w" + ConvEmitter.plus(tap) + "]");
            }
        }
        c.comment("G g: row r of G (WinogradMatrices) applied to every column q of g");
        for (int q = 0; q < 3; q++) {
            for (int r = 0; r < a; r++) {
                c.line("double h" + r + q + " = " + WinogradMatrices.gRow(m, r, new String[] {"g0" + q, "g1" + q, "g2" + q}));
            }
        }
        c.comment("(G g) G^T, the same along each row, into plane ξ = " + a + "r + b of the chunk's staging area at (i - i0)·bw + (o - o0)")
                .line("int e = t + (i - i0) * bw + (o - o0)");
        for (int r = 0; r < a; r++) {
            String[] row = {"h" + r + "0", "h" + r + "1", "h" + r + "2"};
            for (int b = 0; b < a; b++) {
                c.line(st + "[e" + ConvEmitter.plus((long) (a * r + b) * run) + "] = (float) (" + WinogradMatrices.gRow(m, b, row) + ")");
            }
        }
        c.close().close()
                .comment("each plane ξ of U gets its run of (i1 - i0)·bw floats at o0·" + ci + " + i0·bw, one plane at a time")
                .comment("(the planes lie " + stride + " floats apart: " + xis + " stores into as many planes per channel pair thrashed one L1 set)")
                .line("int n = (i1 - i0) * bw")
                .line("int u = " + ConvEmitter.times("o0", ci) + " + i0 * bw")
                .one("for (int xi = 0; xi < " + xis + "; xi++) System.arraycopy(" + st + ", t + " + ConvEmitter.times("xi", run) + ", " + u
                        + ", " + ConvEmitter.times("xi", (int) stride) + " + u, n)")
                .close().close();
        String doc = "U[ξ][o / " + b0 + "][i][o % " + b0 + "] = (G g G^T)[ξ] of " + k.name() + " for the 3x3 kernel g of output o, input i"
                + (k.rotated() ? " (rotated 180°)" : "") + ", blocks of " + b0 + " output channels chunk, chunk + " + chunks + ", ...";
        if (cached) {
            s.cachedPhase("u", chunks, 30L * ci * co, doc, c.build(), k.weights(), 9L * ci * co);
        } else {
            s.phaseOver("u", chunks, 30L * ci * co, doc, c.build());
        }
        return u;
    }

    /** Names {@code prefix0 .. prefix(n-1)}. */
    private static String[] names(String prefix, int n) {
        String[] v = new String[n];
        for (int i = 0; i < n; i++) {
            v[i] = prefix + i;
        }
        return v;
    }

    /** The broadcast constants F(4x4)'s transforms multiply by (none for F(2x2)). */
    private static void constants(Code c, int m) {
        if (m == 4) {
            for (String k : WinogradMatrices.CONSTANTS) {
                c.line("FloatVector " + k);
            }
        }
    }

    /**
     * The helper writing V of one tile row g (its tiles at n0 of the block) for every input channel:
     * B^T along each of the α rows of 8 tiles' blocks into the staging area, then B^T down each column.
     */
    private static String inputTransform(StepCtx s, Spec k, Plan p, String d, String wino, int part, int rw, int hr) {
        int m = k.m(), a = k.alpha();
        long stride = p.vPlane(k.ci());
        Code c = new Code();
        c.line("int t = g / " + p.th()).line("int ti = g - t * " + p.th());
        c.line("int st = vo + " + (long) a * a * (stride + p.mPlane(k.co())));
        constants(c, m);
        c.open("for (int c = 0; c < " + k.ci() + "; c++)")
                .line("int d = (t * " + k.ci() + " + c) * " + hr * rw + " + ti * " + m * rw)
                .line("int v = vo + c * " + p.ns() + " + n0")
                .open("for (int j = 0; j < " + p.tw() + "; j += " + VL + ")");
        c.comment("row r of the tiles' " + a + "x" + a + " blocks: column " + m + "j + s is D^(s mod " + m + ")[j + s / " + m
                + "]; B^T along it, staged at w[q][r]");
        c.open("for (int r = 0; r < " + a + "; r++)").line("int dr = d + j + r * " + rw);
        String[] x = names("x", a);
        for (int q = 0; q < a; q++) {
            c.line("FloatVector x" + q + " = FloatVector.fromArray(S, " + d + ", dr" + ConvEmitter.plus((long) (q % m) * part + q / m) + ")");
        }
        for (String l : WinogradMatrices.btLines(m, x, "w")) {
            c.line(l);
        }
        for (int q = 0; q < a; q++) {
            c.line("w" + q + ".intoArray(" + wino + ", st + r * " + VL + ConvEmitter.plus((long) q * a * VL) + ")");
        }
        c.close();
        c.comment("B^T down every column q: V[" + a + "r + q][c] of tiles j .. j+7");
        c.open("for (int q = 0; q < " + a + "; q++)").line("int sq = st + q * " + a * VL).line("int vq = v + j + q * " + stride);
        String[] y = names("y", a);
        for (int r = 0; r < a; r++) {
            c.line("FloatVector y" + r + " = FloatVector.fromArray(S, " + wino + ", sq" + ConvEmitter.plus((long) r * VL) + ")");
        }
        for (String l : WinogradMatrices.btLines(m, y, "v")) {
            c.line(l);
        }
        for (int r = 0; r < a; r++) {
            c.line("v" + r + ".intoArray(" + wino + ", vq" + ConvEmitter.plus(r * a * stride) + ")");
        }
        c.close().close().close();
        return s.helper("vin", "V[ξ][c][n0 + j] = (B^T d B)[ξ] of tile row g (sample g / " + p.th() + ", tile row g % " + p.th()
                + "), tiles j = 0 .. " + (p.tw() - 1) + ", every input channel c; " + k.name() + ".", List.of("g", "n0", "vo"), c.build());
    }

    /** The GEMM helpers: a full block of output channels, and the narrower rest when the block does not divide them. */
    private static List<String> gemms(StepCtx s, Spec k, Plan p, String u, String wino) {
        List<String> names = new ArrayList<>();
        int b0 = p.tile().b();
        names.add(gemm(s, k, p, u, wino, b0));
        if (k.co() % b0 != 0) {
            names.add(gemm(s, k, p, u, wino, k.co() % b0));
        }
        return names;
    }

    /** Input channels per iteration of a GEMM helper's loop: fewer loop overheads per fma, the same order of the sum. */
    static final int UNROLL = 2;

    private static String gemm(StepCtx s, Spec k, Plan p, String u, String wino, int b) {
        int P = p.tile().p();
        Code c = new Code();
        for (int a = 0; a < b; a++) {
            for (int j = 0; j < P; j++) {
                c.line("FloatVector a" + j + "_" + a + " = FloatVector.zero(S)");
            }
        }
        c.line("FloatVector g");
        int unrolled = k.ci() / UNROLL * UNROLL;
        if (unrolled > 0) {
            c.open("for (int c = 0; c < " + unrolled + "; c += " + UNROLL + ", v += " + (long) UNROLL * p.ns() + ", uo += " + UNROLL * b + ")");
            for (int r = 0; r < UNROLL; r++) {
                gemmStep(c, p, u, wino, b, (long) r * p.ns(), (long) r * b);
            }
            c.close();
        }
        if (unrolled < k.ci()) {
            c.open("for (int c = " + unrolled + "; c < " + k.ci() + "; c++, v += " + p.ns() + ", uo += " + b + ")");
            gemmStep(c, p, u, wino, b, 0, 0);
            c.close();
        }
        for (int a = 0; a < b; a++) {
            for (int j = 0; j < P; j++) {
                c.line("a" + j + "_" + a + ".intoArray(" + wino + ", m" + ConvEmitter.plus((long) a * p.ns() + (long) j * VL) + ")");
            }
        }
        return s.helper("mm" + b, "M[ξ][o .. o+" + (b - 1) + "][n .. n+" + (P * VL - 1) + "] = Σ_c U[ξ][o / " + p.tile().b() + "][c][..] · V[ξ][c][n ..], c = 0 .. "
                + (k.ci() - 1) + " in order: a register tile of " + P * VL + " tiles x " + b + " output channels (uo: U[ξ][o / " + p.tile().b() + "][0][0], v: V[ξ][0][n], m: M[ξ][o][n]).",
                List.of("uo", "v", "m"), c.build());
    }

    /** One input channel of the GEMM: P loads of V, b broadcasts of U, P·b fmas ({@code dv}, {@code du}: the channel's offsets). */
    private static void gemmStep(Code c, Plan p, String u, String wino, int b, long dv, long du) {
        int P = p.tile().p();
        for (int j = 0; j < P; j++) {
            c.line("FloatVector v" + j + (dv > 0 ? "_" + dv : "") + " = FloatVector.fromArray(S, " + wino + ", v" + ConvEmitter.plus(dv + (long) j * VL) + ")");
        }
        for (int a = 0; a < b; a++) {
            c.line("g = FloatVector.broadcast(S, " + u + "[uo" + ConvEmitter.plus(du + a) + "])");
            for (int j = 0; j < P; j++) {
                c.line("a" + j + "_" + a + " = v" + j + (dv > 0 ? "_" + dv : "") + ".fma(g, a" + j + "_" + a + ")");
            }
        }
    }

    /**
     * The helper writing the output pixels of tile row g from M: A^T down each column of 8 tiles' α x α
     * blocks of M, then along each row, staged, then copied into the m x m pixels of each tile.
     */
    private static String outputTransform(StepCtx s, Spec k, Plan p, String wino) {
        int co = k.co(), ho = k.ho(), wo = k.wo(), m = k.m(), a = k.alpha();
        long stride = p.mPlane(co);
        long ys = (long) a * m * VL; // the staged outputs y[r][b] follow z[r][q]
        Code c = new Code();
        c.line("int t = g / " + p.th()).line("int ti = g - t * " + p.th());
        c.line("int st = mo + " + stride * a * a);
        boolean partRows = ho % m != 0, partCols = wo % m != 0;
        if (partRows) {
            c.comment("the last tile row of a map of " + ho + " rows has " + ho % m + " real row" + (ho % m == 1 ? "" : "s"));
            c.line("int rows = Math.min(" + m + ", " + ho + " - " + m + " * ti)");
        }
        constants(c, m);
        c.open("for (int o = 0; o < " + co + "; o++)")
                .line("int mm = mo + o * " + p.ns() + " + n0")
                .line("int y = ((t * " + co + " + o) * " + ho + " + " + m + " * ti) * " + wo);
        if (k.bias() != null) {
            c.line("float bo = " + k.bias() + "[o]");
        }
        c.open("for (int j = 0; j < " + p.tw() + "; j += " + VL + ")");
        c.comment("A^T down every column q of M[" + a + "r + q], staged at z[r][q]");
        c.open("for (int q = 0; q < " + a + "; q++)").line("int mq = mm + j + q * " + stride);
        String[] x = names("h", a);
        for (int r = 0; r < a; r++) {
            c.line("FloatVector h" + r + " = FloatVector.fromArray(S, " + wino + ", mq" + ConvEmitter.plus(r * a * stride) + ")");
        }
        for (String l : WinogradMatrices.atLines(m, x, "z")) {
            c.line(l);
        }
        for (int r = 0; r < m; r++) {
            c.line("z" + r + ".intoArray(" + wino + ", st + q * " + VL + ConvEmitter.plus((long) r * a * VL) + ")");
        }
        c.close();
        c.comment("A^T along every row r, staged at y[r][b]: pixel (" + m + "ti + r, " + m + "(j + lane) + b)");
        c.open("for (int r = 0; r < " + m + "; r++)").line("int sr = st + r * " + a * VL);
        String[] z = names("e", a);
        for (int q = 0; q < a; q++) {
            c.line("FloatVector e" + q + " = FloatVector.fromArray(S, " + wino + ", sr" + ConvEmitter.plus((long) q * VL) + ")");
        }
        for (String l : WinogradMatrices.atLines(m, z, "f")) {
            c.line(l);
        }
        for (int b = 0; b < m; b++) {
            c.line("f" + b + ".intoArray(" + wino + ", st + r * " + m * VL + ConvEmitter.plus(ys + (long) b * VL) + ")");
        }
        c.close();
        String plus = k.bias() != null ? " + bo" : "";
        c.line("int e = Math.min(" + VL + ", " + p.tw() + " - j)");
        c.open("for (int q = 0; q < e; q++)")
                .line("int px = y + " + ConvEmitter.times("(j + q)", m));
        if (partCols) {
            c.line("int cols = Math.min(" + m + ", " + wo + " - " + ConvEmitter.times("(j + q)", m) + ")");
        }
        for (int r = 0; r < m; r++) {
            for (int b = 0; b < m; b++) {
                String cond = (partRows && r > 0 ? "rows > " + r : "") + (partRows && r > 0 && partCols && b > 0 ? " && " : "")
                        + (partCols && b > 0 ? "cols > " + b : "");
                String line = k.out() + "[px" + ConvEmitter.plus((long) r * wo + b) + "] = " + wino + "[st + q"
                        + ConvEmitter.plus(ys + (long) (r * m + b) * VL) + "]" + plus;
                c.line(cond.isEmpty() ? line : "if (" + cond + ") " + line);
            }
        }
        c.close().close().close();
        return s.helper("yout", "Y[t][o][" + m + "ti .. " + m + "ti+" + (m - 1) + "][..] of tile row g (sample t = g / " + p.th()
                + ", ti = g % " + p.th() + ") = A^T M[.][o][n0 + j] A" + plus.replace(" + bo", " + b[o]")
                + " for every output channel o (" + k.name() + "), through the staged vectors y[r][b] of 8 tiles copied into the "
                + m + "x" + m + " pixels of each tile.", List.of("g", "n0", "mo"), c.build());
    }
}
