package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import java.util.ArrayList;
import java.util.List;

/**
 * Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions (forward, and conv_bf: a forward convolution of
 * zero-padded ΔY with the rotated, transposed kernel) on {@code jdk.incubator.vector}.
 *
 * <p>Every 2x2 block of output pixels (a <em>tile</em>) is computed from the 4x4 input block under it:
 * <pre>
 *   U[ξ][c][k] = (G g G^T)[ξ]     g = the 3x3 kernel of output k, input c      (once per step)
 *   V[ξ][c][n] = (B^T d B)[ξ]     d = the 4x4 input block of tile n, channel c
 *   M[ξ][k][n] = Σ_c U[ξ][c][k] · V[ξ][c][n]                                    (16 GEMMs, ξ = 0 .. 15)
 *   Y[k][tile n] = A^T M[.][k][n] A  (+ b[k])
 *
 *   G = | 1    0    0  |   B^T = | 1  0 -1  0 |   A^T = | 1  1  1  0 |
 *       | ½    ½    ½  |         | 0  1  1  0 |         | 0  1 -1 -1 |
 *       | ½   -½    ½  |         | 0 -1  1  0 |
 *       | 0    0    1  |         | 0  1  0 -1 |
 * </pre>
 * 16 multiplications per tile and channel pair instead of 36: 2.25x fewer than the direct kernel.
 *
 * <p>Layouts, chosen so every vector load is contiguous: a phase per sample copies the input into
 * planes of {@code 2·th + 2} zero-padded rows whose even and odd columns lie in two halves
 * ({@code Dᵉ[r][j] = Xp[r][2j]}, {@code Dᵒ[r][j] = Xp[r][2j+1]}), so the four columns of tiles
 * {@code j .. j+7} are the vectors {@code Dᵉ[j..]}, {@code Dᵒ[j..]}, {@code Dᵉ[j+1..]}, {@code Dᵒ[j+1..]}.
 * The main phase takes blocks of whole tile rows ({@link Plan}); per block, V and M hold the block's
 * tiles contiguous ({@code V[ξ][c][n]}), and the GEMM micro-kernel keeps a register tile of {@code P}
 * vectors of 8 tiles times {@code b} output channels ({@link ConvTiles}): per input channel, P loads
 * of V and b broadcasts of U feed {@code P·b} fmas, summing the channels in a fixed order. Every tile
 * is computed the same whichever chunk and thread runs it, so results are bit-identical for any
 * thread count. Vector lanes past the end of a tile row compute garbage that the next row
 * overwrites or that is never read.
 */
final class WinogradEmitter {

    static final int VL = VectorConvEmitter.VL;
    /** Most chunks of the main phase: each owns a slice of the V, M and staging scratch. */
    static final int LANES = 16;
    /**
     * At most this many floats of V and M per block (its tiles times {@code 16·(C + K)}): 512 KB, so that
     * they and a GEMM's {@code U[ξ]} stay in a core's 1 MB L2 from the input transform to the output one.
     */
    static final int BLOCK_FLOATS = 16 * 8192;

    private WinogradEmitter() {}

    /**
     * One convolution: input {@code in} ({@code t x ci x h x w}) with pads {@code pt, pl} above and to the
     * left, output {@code out} ({@code t x co x ho x wo}); the 3x3 kernel of output o, input i at
     * {@code w[o·oStride + i·iStride + tap]}, {@code tap = 3p + q} or {@code 8 - tap} when rotated.
     */
    record Spec(String in, int t, int ci, int h, int w, int pt, int pl, String out, int co, int ho, int wo, String weights,
                int oStride, int iStride, boolean rotated, String bias) {}

    /**
     * How the main phase cuts the work: blocks of {@code rows} tile rows ({@code rows · tw} tiles),
     * {@code lanes} chunks taking every {@code lanes}-th block, and the GEMM's register tile.
     */
    record Plan(int th, int tw, int rows, int blocks, int lanes, ConvTiles.Tile tile, int nl, int ns) {
        /** Floats of one chunk's scratch: V, M ({@code 16 x channels x ns} each) and 4 staged output vectors. */
        long lane(int ci, int co) {
            return 16L * (ci + co) * ns + 4L * VL;
        }
    }

    /**
     * The plan with the cheapest GEMM per tile ({@link ConvTiles#cost}: a block of tiles is computed in
     * whole vectors of {@code 8P} tiles, so {@code rows · tw} that {@code 8P} divides wastes nothing), among
     * blocks whose V and M fit {@link #BLOCK_FLOATS} and leave at least 8 blocks where the batch allows;
     * the largest such block on a tie.
     */
    static Plan plan(int t, int ci, int co, int ho, int wo) {
        int th = (ho + 1) / 2, tw = (wo + 1) / 2;
        int tileRows = t * th;
        int most = Math.max(1, BLOCK_FLOATS / (16 * (ci + co)) / tw);
        most = Math.min(most, Math.max(1, tileRows / 8)); // at least 8 blocks where the map allows, for the threads
        int rows = most;
        ConvTiles.Tile tile = null;
        double best = Double.MAX_VALUE;
        for (int r = most; r >= 1; r--) {
            ConvTiles.Tile c = ConvTiles.choose((long) r * tw, co);
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
        return new Plan(th, tw, rows, blocks, lanes, tile, nl, nl + VL);
    }

    static void forward(StepCtx s, Conv op) {
        Shape x = s.inBuf(0).shape();
        Shape y = s.outBuf(0).shape();
        emit(s, new Spec(s.in(0), x.n(), x.c(), x.h(), x.w(), op.pt(), op.pl(), s.out(0), y.c(), y.h(), y.w(), s.in(1),
                x.c() * 9, 9, false, op.bias() ? s.in(2) : null), "forward");
    }

    static void backwardData(StepCtx s, ConvBf bf) {
        Conv op = bf.conv();
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        // ΔX = conv(ΔY padded by (2 - Pt, 2 - Pl) above and left, V[c][k] = rot180(W[k][c]))
        emit(s, new Spec(s.in(0), dy.n(), dy.c(), dy.h(), dy.w(), 2 - op.pt(), 2 - op.pl(), s.out(0), dx.c(), dx.h(), dx.w(),
                s.in(1), 9, dx.c() * 9, true, null), "backward-data, ΔY's channels k as the inputs and ΔX's c as the outputs");
    }

    private static void emit(StepCtx s, Spec k, String what) {
        Plan p = plan(k.t(), k.ci(), k.co(), k.ho(), k.wo());
        int half = p.tw() + 1, rw = 2 * half, hr = 2 * p.th() + 2;
        String d = padPhase(s, k, half, rw, hr);
        String u = weightPhase(s, k);
        String wino = s.scratch("wino", p.lanes() * p.lane(k.ci(), k.co()));
        String in = inputTransform(s, k, p, d, wino, half, rw, hr);
        List<String> gemms = gemms(s, k, p, u, wino);
        String out = outputTransform(s, k, p, wino);
        int P = p.tile().p(), b0 = p.tile().b();
        long vSize = 16L * k.ci() * p.ns();
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
                .open("for (int xi = 0; xi < 16; xi++)")
                .open("for (int n = 0; n < nl; n += " + VL * P + ")")
                .line("int v = vo + xi * " + (long) k.ci() * p.ns() + " + n")
                .line("int m = mo + xi * " + (long) k.co() * p.ns() + " + n")
                .line("int uo = xi * " + (long) k.ci() * k.co());
        int full = k.co() / b0 * b0;
        c.one("for (int o = 0; o < " + full + "; o += " + b0 + ") " + gemms.get(0) + "(uo + o, v, m + o * " + p.ns() + ")");
        if (full < k.co()) {
            c.line(gemms.get(1) + "(uo + " + full + ", v, m + " + (long) full * p.ns() + ")");
        }
        c.close().close()
                .comment("Y = A^T M A" + (k.bias() != null ? " + b" : "") + " of every tile and output channel of the block")
                .one("for (int g = g0; g < g1; g++) " + out + "(g, (g - g0) * " + p.tw() + ", mo)")
                .close();
        s.kernel = "winograd F(2x2,3x3), Vector API, GEMM register tile " + P * VL + " tiles x " + b0 + " channels, blocks of "
                + p.rows() + " tile rows (" + p.rows() * p.tw() + " tiles), " + p.lanes() + " chunks";
        s.main(p.lanes(), (long) k.t() * k.co() * k.ci() * k.ho() * k.wo() * 9, what + "; Winograd F(2x2,3x3) on " + p.th() + "x"
                + p.tw() + " tiles per map; chunk l takes blocks l, l+" + p.lanes() + ", ... of " + p.rows() + " tile rows, "
                + p.blocks() + " blocks in all, with its own slice of " + wino, c.build(), false);
    }

    /**
     * The phase that copies {@code in} into the deinterleaved padded planes D, one sample per chunk.
     * Only the data's places are ever written: the pads stay the zeros the array was allocated with.
     */
    private static String padPhase(StepCtx s, Spec k, int half, int rw, int hr) {
        int plane = hr * rw;
        int pl = k.pl();
        int eLo = (pl + 1) / 2, eHi = Math.floorDiv(k.w() - 1 + pl, 2) + 1;
        int oLo = pl / 2, oHi = Math.floorDiv(k.w() - 2 + pl, 2) + 1;
        if (k.pt() + k.h() > hr || eHi > half || oHi > half) {
            throw new IllegalStateException(s.name + ": a " + k.h() + "x" + k.w() + " map does not fit planes of " + hr + "x" + rw);
        }
        // slack: the vectors of the last tile row read up to 8 lanes past its plane
        String d = s.scratch("d", (long) k.t() * k.ci() * plane + 2L * VL);
        Code c = new Code();
        c.line("int t = chunk");
        c.open("for (int c = 0; c < " + k.ci() + "; c++)")
                .line("int x = (t * " + k.ci() + " + c) * " + k.h() * k.w())
                .line("int d = (t * " + k.ci() + " + c) * " + plane + ConvEmitter.plus((long) k.pt() * rw))
                .open("for (int i = 0; i < " + k.h() + "; i++, x += " + k.w() + ", d += " + rw + ")")
                .one("for (int e = " + eLo + "; e < " + eHi + "; e++) " + d + "[d + e] = " + k.in() + "[x + 2 * e" + ConvEmitter.plus(-pl) + "]");
        if (oLo < oHi) {
            c.one("for (int e = " + oLo + "; e < " + oHi + "; e++) " + d + "[d + " + half + " + e] = " + k.in() + "[x + 2 * e"
                    + ConvEmitter.plus(1 - pl) + "]");
        }
        c.close().close();
        s.phase("pad", k.t(), (long) k.t() * k.ci() * k.h() * k.w(), "copies " + k.in() + "[t] into planes of " + hr + " rows x ("
                + half + " even + " + half + " odd columns), data from row " + k.pt() + " and padded column " + pl
                + "; the pads are never written and stay zero", c.build());
        return d;
    }

    /** The phase computing {@code U[ξ][i][o] = G g G^T} in double and rounding once, output channels split over chunks. */
    private static String weightPhase(StepCtx s, Spec k) {
        int ci = k.ci(), co = k.co();
        String u = s.scratch("u", 16L * ci * co);
        int chunks = Math.min(co, 16);
        Code c = new Code();
        c.open("for (int o = chunk; o < " + co + "; o += " + chunks + ")")
                .open("for (int i = 0; i < " + ci + "; i++)")
                .line("int w = o * " + k.oStride() + " + i * " + k.iStride());
        for (int p = 0; p < 3; p++) {
            for (int q = 0; q < 3; q++) {
                int tap = k.rotated() ? 8 - (3 * p + q) : 3 * p + q;
                c.line("double g" + p + q + " = " + k.weights() + "[w" + ConvEmitter.plus(tap) + "]");
            }
        }
        c.comment("G g: the rows (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2) of every column");
        for (int q = 0; q < 3; q++) {
            c.line("double h0" + q + " = g0" + q)
                    .line("double h1" + q + " = 0.5 * (g0" + q + " + g1" + q + " + g2" + q + ")")
                    .line("double h2" + q + " = 0.5 * (g0" + q + " - g1" + q + " + g2" + q + ")")
                    .line("double h3" + q + " = g2" + q);
        }
        c.comment("(G g) G^T, the same along each row; U[ξ = 4a + b][i][o]");
        c.line("int u = i * " + co + " + o");
        long stride = (long) ci * co;
        for (int a = 0; a < 4; a++) {
            String[] row = {"h" + a + "0", "h" + a + "1", "h" + a + "2"};
            String[] v = {row[0], "0.5 * (" + row[0] + " + " + row[1] + " + " + row[2] + ")",
                "0.5 * (" + row[0] + " - " + row[1] + " + " + row[2] + ")", row[2]};
            for (int b = 0; b < 4; b++) {
                c.line(u + "[u" + ConvEmitter.plus((4 * a + b) * stride) + "] = (float) (" + v[b] + ")");
            }
        }
        c.close().close();
        s.phaseOver("u", chunks, 30L * ci * co, "U[ξ][i][o] = (G g G^T)[ξ] of the 3x3 kernel g of output o, input i"
                + (k.rotated() ? " (rotated 180°)" : "") + ", output channels o = chunk, chunk + " + chunks + ", ...", c.build());
        return u;
    }

    /** {@code (x0 - x2, x1 + x2, x2 - x1, x1 - x3)}: B^T along one direction. */
    private static String[] bt(String x0, String x1, String x2, String x3) {
        return new String[] {x0 + ".sub(" + x2 + ")", x1 + ".add(" + x2 + ")", x2 + ".sub(" + x1 + ")", x1 + ".sub(" + x3 + ")"};
    }

    /** The helper writing V of one tile row g (its tiles at n0 of the block) for every input channel. */
    private static String inputTransform(StepCtx s, Spec k, Plan p, String d, String wino, int half, int rw, int hr) {
        Code c = new Code();
        c.line("int t = g / " + p.th()).line("int ti = g - t * " + p.th());
        c.open("for (int c = 0; c < " + k.ci() + "; c++)")
                .line("int d = (t * " + k.ci() + " + c) * " + hr * rw + " + ti * " + 2 * rw)
                .line("int v = vo + c * " + p.ns() + " + n0")
                .open("for (int j = 0; j < " + p.tw() + "; j += " + VL + ")");
        c.comment("row r of the tiles' 4x4 blocks: columns Dᵉ[j], Dᵒ[j], Dᵉ[j+1], Dᵒ[j+1]; then B^T along it");
        for (int r = 0; r < 4; r++) {
            String base = "d + j" + ConvEmitter.plus((long) r * rw);
            c.line("FloatVector e" + r + " = FloatVector.fromArray(S, " + d + ", " + base + ")")
                    .line("FloatVector o" + r + " = FloatVector.fromArray(S, " + d + ", " + base + ConvEmitter.plus(half) + ")")
                    .line("FloatVector f" + r + " = FloatVector.fromArray(S, " + d + ", " + base + " + 1)")
                    .line("FloatVector p" + r + " = FloatVector.fromArray(S, " + d + ", " + base + ConvEmitter.plus(half + 1) + ")");
            String[] w = bt("e" + r, "o" + r, "f" + r, "p" + r);
            for (int q = 0; q < 4; q++) {
                c.line("FloatVector w" + r + q + " = " + w[q]);
            }
        }
        c.comment("B^T down every column: V[4a + b][c] of tiles j .. j+7");
        long stride = (long) k.ci() * p.ns();
        for (int b = 0; b < 4; b++) {
            String[] v = bt("w0" + b, "w1" + b, "w2" + b, "w3" + b);
            for (int a = 0; a < 4; a++) {
                c.line(v[a] + ".intoArray(" + wino + ", v + j" + ConvEmitter.plus((4 * a + b) * stride) + ")");
            }
        }
        c.close().close();
        return s.helper("vin", "V[ξ][c][n0 + j] = (B^T d B)[ξ] of tile row g (sample g / " + p.th() + ", tile row g % " + p.th()
                + "), tiles j = 0 .. " + (p.tw() - 1) + ", every input channel c.", List.of("g", "n0", "vo"), c.build());
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
            c.open("for (int c = 0; c < " + unrolled + "; c += " + UNROLL + ", v += " + (long) UNROLL * p.ns() + ", uo += " + UNROLL * k.co() + ")");
            for (int r = 0; r < UNROLL; r++) {
                gemmStep(c, p, u, wino, b, (long) r * p.ns(), (long) r * k.co());
            }
            c.close();
        }
        if (unrolled < k.ci()) {
            c.open("for (int c = " + unrolled + "; c < " + k.ci() + "; c++, v += " + p.ns() + ", uo += " + k.co() + ")");
            gemmStep(c, p, u, wino, b, 0, 0);
            c.close();
        }
        for (int a = 0; a < b; a++) {
            for (int j = 0; j < P; j++) {
                c.line("a" + j + "_" + a + ".intoArray(" + wino + ", m" + ConvEmitter.plus((long) a * p.ns() + (long) j * VL) + ")");
            }
        }
        return s.helper("mm" + b, "M[ξ][o .. o+" + (b - 1) + "][n .. n+" + (P * VL - 1) + "] = Σ_c U[ξ][c][o ..] · V[ξ][c][n ..], c = 0 .. "
                + (k.ci() - 1) + " in order: a register tile of " + P * VL + " tiles x " + b + " output channels (uo: U[ξ][0][o], v: V[ξ][0][n], m: M[ξ][o][n]).",
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

    /** {@code (m0 + m1 + m2, m1 - m2 - m3)}: A^T along one direction. */
    private static String[] at(String m0, String m1, String m2, String m3) {
        return new String[] {m0 + ".add(" + m1 + ").add(" + m2 + ")", m1 + ".sub(" + m2 + ").sub(" + m3 + ")"};
    }

    /** The helper writing the output pixels of tile row g from M: A^T M A, staged, then interleaved into rows. */
    private static String outputTransform(StepCtx s, Spec k, Plan p, String wino) {
        int co = k.co(), ho = k.ho(), wo = k.wo();
        long stride = (long) co * p.ns();
        Code c = new Code();
        c.line("int t = g / " + p.th()).line("int ti = g - t * " + p.th());
        c.line("int st = mo + " + stride * 16);
        if (ho % 2 == 1) {
            c.comment("the last tile row of an odd map has one real row");
            c.line("boolean two = ti < " + (p.th() - 1));
        }
        c.open("for (int o = 0; o < " + co + "; o++)")
                .line("int m = mo + o * " + p.ns() + " + n0")
                .line("int y = ((t * " + co + " + o) * " + ho + " + 2 * ti) * " + wo);
        if (k.bias() != null) {
            c.line("float bo = " + k.bias() + "[o]");
        }
        c.open("for (int j = 0; j < " + p.tw() + "; j += " + VL + ")");
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                c.line("FloatVector m" + a + b + " = FloatVector.fromArray(S, " + wino + ", m + j" + ConvEmitter.plus((4 * a + b) * stride) + ")");
            }
        }
        c.comment("A^T down every column, then along both rows");
        for (int b = 0; b < 4; b++) {
            String[] z = at("m0" + b, "m1" + b, "m2" + b, "m3" + b);
            c.line("FloatVector z0" + b + " = " + z[0]).line("FloatVector z1" + b + " = " + z[1]);
        }
        for (int a = 0; a < 2; a++) {
            String[] y = at("z" + a + "0", "z" + a + "1", "z" + a + "2", "z" + a + "3");
            c.line(y[0] + ".intoArray(" + wino + ", st" + ConvEmitter.plus((long) (2 * a) * VL) + ")");
            c.line(y[1] + ".intoArray(" + wino + ", st" + ConvEmitter.plus((long) (2 * a + 1) * VL) + ")");
        }
        String plus = k.bias() != null ? " + bo" : "";
        c.line("int e = Math.min(" + VL + ", " + p.tw() + " - j)");
        c.open("for (int q = 0; q < e; q++)")
                .line("int x = y + 2 * (j + q)");
        boolean oddW = wo % 2 == 1;
        c.line(k.out() + "[x] = " + wino + "[st + q]" + plus);
        if (oddW) {
            c.open("if (2 * (j + q) + 1 < " + wo + ")");
        }
        c.line(k.out() + "[x + 1] = " + wino + "[st + " + VL + " + q]" + plus);
        if (oddW) {
            c.close();
        }
        if (ho % 2 == 1) {
            c.open("if (two)");
        }
        c.line(k.out() + "[x + " + wo + "] = " + wino + "[st + " + 2 * VL + " + q]" + plus);
        if (oddW) {
            c.open("if (2 * (j + q) + 1 < " + wo + ")");
        }
        c.line(k.out() + "[x + " + (wo + 1) + "] = " + wino + "[st + " + 3 * VL + " + q]" + plus);
        if (oddW) {
            c.close();
        }
        if (ho % 2 == 1) {
            c.close();
        }
        c.close().close().close();
        return s.helper("yout", "Y[t][o][2ti .. 2ti+1][..] of tile row g (sample t = g / " + p.th() + ", ti = g % " + p.th()
                + ") = A^T M[.][o][n0 + j] A" + plus.replace(" + bo", " + b[o]") + " for every output channel o, through 4 staged vectors"
                + " (y00, y01, y10, y11 of 8 tiles) written into the rows two columns apart.", List.of("g", "n0", "mo"), c.build());
    }
}
