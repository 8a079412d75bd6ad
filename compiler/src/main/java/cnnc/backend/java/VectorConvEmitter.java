package cnnc.backend.java;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import java.util.ArrayList;
import java.util.List;

/**
 * conv, conv_bf and conv_grad with pads {@code >= 0} (inside the window) and any stride, on {@code jdk.incubator.vector}
 * ({@code FloatVector.SPECIES_256}, {@link #VL} lanes, fma). The scalar {@link ConvEmitter} handles
 * every other case and every class generated without the Vector API.
 *
 * <p>The "wide" layout: an input map is first copied, zero-padded, into a scratch plane of
 * {@code Hp x Wp} ({@code Hp = H + Pt + Pb}, {@code Wp = W + max(Pl, Pr)}: see {@link Padded}); an
 * output row {@code i} is then computed at full padded width, {@code Y'[i·Wp + j]} for {@code j < Wp}, of which the first
 * {@code Wo} columns are real. In that layout every tap is one contiguous run,
 * {@code Y'[e] += w_p_q · Xp[e + p·Wp + q]} for {@code e < L = (Ho-1)·Wp + Wo}: one long loop over the
 * whole map instead of {@code Ho} loops of {@code Wo} (10 for LeNet's c2), at the cost of computing
 * {@code Wp - Wo} columns that are thrown away. Lanes past {@code L} read into the next plane or
 * the zero slack at the end of the scratch array and are thrown away too.
 *
 * <p>forward and conv_bf (a forward convolution of zero-padded ΔY with the rotated, transposed
 * kernel) keep a register tile of {@code p} vectors of {@link #VL} pixels times {@code b} output
 * channels ({@link ConvTiles}, chosen from the shapes) and accumulate every input channel and tap
 * into it: per tap, {@code p} loads of Xp and {@code b} broadcast weights feed {@code p·b} fmas.
 * Each output pixel still sums its channels and taps in the same order, whatever the tile.
 * conv_grad keeps a tile of {@code k} output channels times the taps of a helper, and reads ΔY, laid
 * out wide with zeros in the thrown-away columns, once per pixel block and helper; the lanes of each
 * accumulator are then added in a fixed order (never {@code reduceLanes}, whose order may differ
 * between interpreted and compiled code), so results do not depend on which thread ran what.
 *
 * <p>A strided convolution works on the stride phases of its input ({@link #phases}: every tap a
 * contiguous run again), and its conv_bf on the stride phases of ΔX ({@link #stridedBackwardData}).
 */
final class VectorConvEmitter {

    /** Lanes of {@code FloatVector.SPECIES_256}. */
    static final int VL = 8;
    /** At most this many output channels per chunk when a small batch splits a sample's channels over chunks. */
    static final int KB = 8;
    /**
     * Vector operations per taps helper (a tap is one load plus a broadcast and an fma per output
     * channel). C2 must inline every one of them to keep the vectors in registers; past about 18000
     * IR nodes ({@code NodeCountInliningCutoff}) it stops inlining, and the calls left box their
     * vectors: the step then allocates and runs many times slower. About 120 operations stay well
     * below, and the bytecode far below 8000 bytes. Splitting costs little: the accumulators are
     * stored and reloaded once per column block and helper, not per input channel.
     */
    static final int HELPER_OPS = 120;

    /**
     * Chunks per sample: one for batches of 8 or more; otherwise the smallest divisor {@code d >= 2} of
     * K with at most {@link #KB} channels per chunk, so all chunks have the same width.
     */
    static int channelGroups(int batch, int k) {
        if (batch >= 8 || k == 1) {
            return 1;
        }
        for (int d = 2; d <= k; d++) {
            if (k % d == 0 && k / d <= KB) {
                return d;
            }
        }
        return k;
    }

    private VectorConvEmitter() {}

    static long roundUp(long n) {
        return (n + VL - 1) / VL * VL;
    }

    /**
     * A zero-padded copy of a {@code T x C x H x W} tensor: planes of {@code hp x wp}, plus {@link #VL}
     * slack; the padded map has {@code rows} rows, the data starts at row {@code pt}, column {@code pl}.
     * The right pad shares its columns with the next row's left pad: a read past the end of a row
     * wraps to the start of the next, which is zero for {@code pl} columns, so {@code wp = pl + W}
     * when {@code pr <= pl}; one more zero row under the map keeps the last row's wrap inside the plane.
     */
    record Padded(String field, int t, int c, int h, int w, int pt, int pl, int rows, int hp, int wp, int sh, int sw) {
        /** One plane: the padded map, or (strided) one of its {@code sh·sw} phases. */
        int plane() {
            return hp * wp;
        }

        /** The floats of one input channel: its plane, or its {@link #phases} phase planes one after another. */
        int channel() {
            return phases() * plane();
        }

        int phases() {
            return sh * sw;
        }

        /**
         * Where tap {@code (p, q)} of output pixel {@code e} reads, relative to {@code e} and the channel:
         * {@code p·Wp + q}, or (strided) in the phase plane of {@code (p mod sh, q mod sw)} at row
         * {@code p / sh}, column {@code q / sw}.
         */
        long tap(int p, int q) {
            return (long) ((p % sh) * sw + q % sw) * plane() + (long) (p / sh) * wp + q / sw;
        }
    }

    /**
     * The padded copy of {@code b}: shared between the steps of a class when {@code share} (the
     * forward conv writes it, conv_grad reads it in the backward pass of the same forward); adds the
     * phase that writes it unless another step already does.
     */
    static Padded pad(StepCtx s, Buffer b, int pt, int pb, int pl, int pr, boolean share) {
        return pad(s, b, pt, pb, pl, pr, 1, 1, share);
    }

    /** {@link #pad(StepCtx, Buffer, int, int, int, int, boolean)} for a convolution of stride {@code sh x sw}: see {@link #phases}. */
    static Padded pad(StepCtx s, Buffer b, int pt, int pb, int pl, int pr, int sh, int sw, boolean share) {
        if (sh > 1 || sw > 1) {
            return phases(s, b, pt, pb, pl, pr, sh, sw, share);
        }
        Shape x = b.shape();
        int rows = x.h() + pt + pb;
        int wp = x.w() + pl + Math.max(0, pr - pl);
        int hp = rows + (pr > 0 ? 1 : 0);
        String key = "pad:" + b.name() + ":" + pt + "," + pb + "," + pl + "," + pr;
        String field = share ? s.shared.get(key) : null;
        if (field != null) {
            return new Padded(field, x.n(), x.c(), x.h(), x.w(), pt, pl, rows, hp, wp, 1, 1);
        }
        // slack: a tile of p pixel vectors reads up to 8p lanes past the last wide row (ConvTiles)
        field = s.keptScratch("padded", (long) x.n() * x.c() * hp * wp + (long) VL * ConvTiles.MAX_P);
        if (share) {
            s.shared.put(key, field);
        }
        Padded p = new Padded(field, x.n(), x.c(), x.h(), x.w(), pt, pl, rows, hp, wp, 1, 1);
        String src = Names.field(b);
        Code c = new Code();
        c.line("int t = chunk");
        c.open("for (int c = 0; c < " + p.c() + "; c++)")
                .line("int po = (t * " + p.c() + " + c) * " + p.plane())
                .line("int xo = (t * " + p.c() + " + c) * " + (p.h() * p.w()));
        if (pt > 0 || pb > 0 || pl > 0 || pr > 0) {
            c.loop("e", 0, p.plane(), field + "[po + e] = 0f");
        }
        c.one("for (int i = 0; i < " + p.h() + "; i++) System.arraycopy(" + src + ", xo + i * " + p.w() + ", " + field
                + ", po + " + ConvEmitter.rowStart("i", 1, pt, wp) + ConvEmitter.plus(pl) + ", " + p.w() + ")");
        c.close();
        s.phase("pad", x.n(), x.size(), "copies " + b.name() + "[t] into planes of " + hp + "x" + wp + " with pads (" + pt + ", "
                + pb + ", " + pl + ", " + pr + ") of zeros, one sample each", c.build());
        return p;
    }

    /**
     * A strided convolution's input split into its stride phases, so that every tap is again one
     * contiguous run: with {@code Xp} the zero-padded map, phase {@code (a, b)} of a channel is the
     * plane {@code P_ab[u][v] = Xp[sh·u + a][sw·v + b]}, and output pixel {@code (i, j)} sums
     * {@code W[p][q] · Xp[sh·i + p][sw·j + q] = W[p][q] · P_(p mod sh, q mod sw)[i + p/sh][j + q/sw]}: a
     * stride-1 convolution of each phase with the kernel taps of that phase (a 7x7/2 kernel: 4x4,
     * 4x3, 3x4 and 3x3 taps). Each phase plane has {@code ceil((H+Pt+Pb)/sh) + 1} rows (a zero row
     * under the map, as {@link #pad}) of {@code ceil((W+Pl+Pr)/sw)} columns, which holds
     * {@code Wo + (N-1)/sw}: a real output never reads past its row.
     */
    private static Padded phases(StepCtx s, Buffer b, int pt, int pb, int pl, int pr, int sh, int sw, boolean share) {
        Shape x = b.shape();
        int rows = x.h() + pt + pb;
        int hp = (rows + sh - 1) / sh + 1;
        int wp = (x.w() + pl + pr + sw - 1) / sw;
        String key = "phases:" + b.name() + ":" + pt + "," + pb + "," + pl + "," + pr + ":" + sh + "x" + sw;
        String field = share ? s.shared.get(key) : null;
        if (field != null) {
            return new Padded(field, x.n(), x.c(), x.h(), x.w(), pt, pl, rows, hp, wp, sh, sw);
        }
        field = s.keptScratch("phases", (long) x.n() * x.c() * sh * sw * hp * wp + (long) VL * ConvTiles.MAX_P);
        if (share) {
            s.shared.put(key, field);
        }
        Padded p = new Padded(field, x.n(), x.c(), x.h(), x.w(), pt, pl, rows, hp, wp, sh, sw);
        Code c = new Code();
        c.line("int t = chunk");
        c.open("for (int c = 0; c < " + p.c() + "; c++)")
                .line("int po = (t * " + p.c() + " + c) * " + p.channel())
                .line("int xo = (t * " + p.c() + " + c) * " + (p.h() * p.w()))
                .loop("e", 0, p.channel(), field + "[po + e] = 0f");
        c.comment("X[i][j] is Xp[i + " + pt + "][j + " + pl + "]: phase ((i + " + pt + ") mod " + sh + ", (j + " + pl + ") mod " + sw
                + "), row (i + " + pt + ") / " + sh + ", column (j + " + pl + ") / " + sw);
        c.open("for (int i = 0; i < " + p.h() + "; i++)")
                .line("int r = i" + ConvEmitter.plus(pt))
                .line("int ro = po + r % " + sh + " * " + (sw * p.plane()) + " + r / " + sh + " * " + wp)
                .open("for (int j = 0; j < " + p.w() + "; j++)")
                .line("int q = j" + ConvEmitter.plus(pl))
                .line(field + "[ro + q % " + sw + " * " + p.plane() + " + q / " + sw + "] = " + Names.field(b) + "[xo + i * " + p.w() + " + j]")
                .close()
                .close();
        c.close();
        s.phase("split", x.n(), x.size(), "copies " + b.name() + "[t] with pads (" + pt + ", " + pb + ", " + pl + ", " + pr
                + ") of zeros into its " + sh + "x" + sw + " stride phases, planes of " + hp + "x" + wp + ", one sample each", c.build());
        return p;
    }

    /**
     * Y (T x outCh x Ho x Wo) = bias + Σ_i Σ_p,q weight(o, i, p, q) · in(padded)[i][.. + p·Wp + q].
     * The weight of output o, input i, tap (p, q) is {@code w[(o·oStride + i·iStride) + tap]} with
     * {@code tap = p·N + q}, or {@code M·N - 1 - tap} when {@code rotated}.
     */
    record Kernel(Padded in, String out, int outCh, int ho, int wo, int m, int n, String w, int oStride, int iStride,
                  boolean rotated, String bias) {}

    /**
     * How a kernel over {@code outCh} output channels and wide rows of {@code length} pixels is cut:
     * {@code kg} channel groups per sample ({@link #channelGroups}), so {@code chunks} chunks of {@code n}
     * channels each, in blocks of the register tile's width and one of the rest ({@code widths}); the wide rows
     * rounded up to {@code lr} (whole pixel blocks), held per chunk in the scratch {@code wide}.
     */
    record Blocks(int kg, int chunks, int n, ConvTiles.Tile tile, int lr, String wide, List<Integer> widths) {
        /**
         * The main method's opening: the chunk's sample {@code t} and channels {@code k0 .. k1-1} of
         * {@code outCh}, its input at {@code xo} ({@code sampleFloats} a sample), its wide rows at {@code so},
         * and {@code k} the first channel block.
         */
        Code open(int outCh, long sampleFloats) {
            Code c = new Code();
            ConvEmitter.splitChunk(c, kg, outCh, "k0", "k1");
            return c.line("int xo = t * " + sampleFloats).line("int so = chunk * " + (tile.b() * lr)).line("int k = k0");
        }

        /** Opens the loop over the chunk's blocks of {@code b} channels (none where one block is the chunk). */
        void openWidth(Code c, int b) {
            c.open(b == n ? "" : b == 1 ? "for (; k < k1; k++)" : "for (; k + " + b + " <= k1; k += " + b + ")");
        }
    }

    private static Blocks blocks(StepCtx s, int t, int outCh, long length) {
        int kg = channelGroups(t, outCh);
        int chunks = t * kg;
        int n = outCh / kg;
        ConvTiles.Tile tile = ConvTiles.choose(length, n);
        long block = (long) VL * tile.p();
        int lr = (int) ((length + block - 1) / block * block);
        String wide = s.scratch("wide", (long) chunks * tile.b() * lr);
        List<Integer> widths = n % tile.b() == 0 ? List.of(tile.b()) : List.of(tile.b(), n % tile.b());
        return new Blocks(kg, chunks, n, tile, lr, wide, widths);
    }

    private static void wideConv(StepCtx s, Kernel k, String explain) {
        Padded in = k.in();
        int T = in.t(), C = in.c(), K = k.outCh(), Wp = in.wp(), Ho = k.ho(), Wo = k.wo(), M = k.m(), N = k.n();
        boolean fits = in.phases() == 1 ? in.rows() - M + 1 == Ho && Wo <= Wp
                : (in.rows() - M) / in.sh() + 1 == Ho && Wo + (N - 1) / in.sw() <= Wp && Ho + (M - 1) / in.sh() < in.hp();
        if (!fits) {
            throw new IllegalStateException(s.name + ": padded " + in.rows() + "x" + Wp + " does not give " + Ho + "x" + Wo);
        }
        Blocks bl = blocks(s, T, K, (long) (Ho - 1) * Wp + Wo);
        int P = bl.tile().p(), Lr = bl.lr();
        Code c = bl.open(K, (long) C * in.channel());
        for (int b : bl.widths()) {
            List<String> helpers = new ArrayList<>();
            for (TapGroup g : groups(k)) {
                helpers.addAll(taps(s, k, b, P, Lr, g, helpers.isEmpty(), helpers.size()));
            }
            bl.openWidth(c, b);
            callHelpers(c, helpers, b, P, Lr);
            c.comment("Y[t][k + a] = the first " + Wo + " columns of every wide row (arraycopy: C2 leaves a copy loop between two offsets scalar)");
            c.open("for (int a = 0; a < " + b + "; a++)")
                    .line("int yo = (t * " + K + " + k + a) * " + (Ho * Wo))
                    .line("int wo = so + a * " + Lr)
                    .one("for (int i = 0; i < " + Ho + "; i++) System.arraycopy(" + bl.wide() + ", wo + i * " + Wp + ", " + k.out() + ", yo + i * "
                            + Wo + ", " + Wo + ")")
                    .close();
            c.close();
        }
        s.kernel = "direct, Vector API, register tile " + bl.tile() + ", " + bl.chunks() + " chunks";
        s.main(bl.chunks(), (long) T * K * C * Lr * M * N, explain + "; register tile " + bl.tile() + " (" + P + "x" + bl.tile().b()
                + " accumulators of " + VL + " lanes), wide rows of " + Lr + " pixels", c.build(), bl.kg() == 1);
    }

    /**
     * Floats of the wide rows one segment of several helpers holds (16 KB): it stays in the L1 cache
     * from one helper to the next, where whole wide rows (the 7x7/2 stem's: 8 x 12888 pixels, 412 KB)
     * went to L3 and back once per helper.
     */
    static final int SEGMENT_FLOATS = 4096;

    /**
     * The calls of a kernel's helpers over wide rows of {@code Lr} pixels: one call each over the whole
     * rows, or, for several helpers, every helper in turn on each segment of at most {@link #SEGMENT_FLOATS} /
     * {@code b} pixels. Each pixel still sums its taps in the helpers' order.
     */
    private static void callHelpers(Code c, List<String> helpers, int b, int P, int Lr) {
        int block = VL * P, most = Math.max(block, SEGMENT_FLOATS / b / block * block);
        int segments = (Lr + most - 1) / most;
        int seg = ((Lr + segments - 1) / segments + block - 1) / block * block;  // as even as whole blocks allow
        if (helpers.size() == 1 || segments == 1) {
            helpers.forEach(h -> c.line(h + "(xo, k, so, 0, " + Lr + ")"));
            return;
        }
        c.comment("the helpers in turn on segments of " + seg + " pixels of the wide rows (they stay in L1 between helpers)")
                .open("for (int e0 = 0; e0 < " + Lr + "; e0 += " + seg + ")")
                .line("int e1 = Math.min(e0 + " + seg + ", " + Lr + ")");
        helpers.forEach(h -> c.line(h + "(xo, k, so, e0, e1)"));
        c.close();
    }

    /**
     * One group of taps summed into the same wide rows: kernel rows {@code rowBase + rowStep·p}
     * ({@code p < rows}) and columns {@code colBase + colStep·q} ({@code q < cols}), tap {@code (p, q)}
     * of output pixel {@code e} read at {@code e + xOffset + p·Wp + q} of an input channel. A stride-1
     * kernel is one group (for conv_bf rotated: bases M-1 and N-1, steps -1); a strided forward has a
     * group per stride phase ({@link #phases}), a strided conv_bf one per phase of ΔX ({@link #stridedBackwardData}).
     */
    record TapGroup(int rows, int rowBase, int rowStep, int cols, int colBase, int colStep, long xOffset, String rowsText) {}

    /** Kernel rows (or columns) {@code a, a + s, a + 2s, ...} below {@code m}: the taps of stride phase {@code a}; phase 0 has the most. */
    static int phaseTaps(int m, int a, int s) {
        return (m - a + s - 1) / s;
    }

    /** The groups of a forward (or stride-1 conv_bf) kernel over {@code in}: one, or one per stride phase with taps. */
    private static List<TapGroup> groups(Kernel k) {
        Padded in = k.in();
        int M = k.m(), N = k.n(), sh = in.sh(), sw = in.sw();
        if (in.phases() == 1) {
            return List.of(k.rotated() ? new TapGroup(M, M - 1, -1, N, N - 1, -1, 0, "kernel row")
                    : new TapGroup(M, 0, 1, N, 0, 1, 0, "kernel row"));
        }
        List<TapGroup> groups = new ArrayList<>();
        for (int pa = 0; pa < sh; pa++) {
            for (int qa = 0; qa < sw; qa++) {
                int rows = phaseTaps(M, pa, sh);
                int cols = phaseTaps(N, qa, sw);
                if (rows > 0 && cols > 0) {
                    groups.add(new TapGroup(rows, pa, sh, cols, qa, sw, (long) (pa * sw + qa) * in.plane(), "kernel rows " + pa + " .. "
                            + (pa + sh * (rows - 1)) + " by " + sh + " (stride phase (" + pa + ", " + qa + "))"));
                }
            }
        }
        return groups;
    }

    /**
     * Helpers adding the taps of {@code g} to {@code b} wide output rows at {@code so}, named from
     * {@code taps<b>_<index0>} on; the first one starts from the bias (or zero) when {@code fresh}. The
     * register tile is {@code P} vectors of {@link #VL} pixels by {@code b} output channels
     * ({@link ConvTiles}): per tap, {@code P} loads of Xp and {@code b} broadcast weights feed
     * {@code P·b} fmas. A helper loops over input channels and kernel rows and unrolls a run of
     * kernel columns: the accumulators stay in registers through the whole sum, and the source
     * Janino reads stays small (a cold compile's time goes mostly into scanning and parsing it).
     * Kernels wider than one helper's share of {@link #HELPER_OPS} split their columns over several helpers.
     */
    private static List<String> taps(StepCtx s, Kernel k, int b, int P, int Lr, TapGroup g, boolean fresh, int index0) {
        List<String> names = new ArrayList<>();
        int per = Math.max(1, HELPER_OPS / (P + b + P * b));
        for (int q0 = 0; q0 < g.cols(); q0 += per) {
            int q1 = Math.min(g.cols(), q0 + per);
            boolean first = fresh && q0 == 0;
            String cols = Math.abs(g.colStep()) == 1 ? q0 + " .. " + (q1 - 1)
                    : (g.colBase() + g.colStep() * q0) + " .. " + (g.colBase() + g.colStep() * (q1 - 1)) + " by " + g.colStep();
            names.add(s.helper("taps" + b + "_" + (index0 + names.size()),
                    "Wide rows of output channels k0 .. k0+" + (b - 1) + " at so: " + (first ? "the bias plus" : "plus")
                            + " the taps of kernel columns " + cols + " over every input channel and " + g.rowsText() + ", "
                            + P * VL + " pixels x " + b + " channels at a time.",
                    List.of("xo", "k0", "so", "e0", "e1"), tapsHelper(s, k, b, P, Lr, first, g, q0, q1).build()));
        }
        return names;
    }

    /** One helper of {@link #taps}: the taps of {@code g}'s columns {@code q0 .. q1-1}, starting from the bias or zero when {@code first}. */
    private static Code tapsHelper(StepCtx s, Kernel k, int b, int P, int Lr, boolean first, TapGroup g, int q0, int q1) {
        Padded in = k.in();
        int C = in.c(), Wp = in.wp(), N = k.n();
        String wide = s.name + "wide";
        Code c = new Code();
        c.open("for (int e = e0; e < e1; e += " + VL * P + ")");
        for (int a = 0; a < b; a++) {
            if (first && k.bias() != null) {
                c.line("FloatVector b" + a + " = FloatVector.broadcast(S, " + k.bias() + "[k0 + " + a + "])");
            }
            for (int j = 0; j < P; j++) {
                String init;
                if (!first) {
                    init = "FloatVector.fromArray(S, " + wide + ", so + " + ((long) a * Lr + (long) j * VL) + " + e)";
                } else if (k.bias() != null) {
                    init = "b" + a;
                } else {
                    init = "FloatVector.zero(S)";
                }
                c.line("FloatVector a" + j + "_" + a + " = " + init);
            }
        }
        // weight of tap (p, q): w0 + row·N + column, row = rowBase + rowStep·p, column = colBase + colStep·q
        c.open("for (int c = 0; c < " + C + "; c++)")
                .line("int x0 = xo + c * " + in.channel() + ConvEmitter.plus(g.xOffset()) + " + e")
                .line("int w0 = k0 * " + k.oStride() + " + c * " + k.iStride());
        c.open("for (int p = 0; p < " + g.rows() + "; p++)")
                .line("int x = x0 + p * " + Wp)
                .line("int w = w0 + " + kernelRow(g, N));
        for (int j = 0; j < P; j++) {
            c.line("FloatVector v" + j);
        }
        c.line("FloatVector g");
        for (int q = q0; q < q1; q++) {
            int wq = g.colBase() + g.colStep() * q;
            for (int j = 0; j < P; j++) {
                c.line("v" + j + " = FloatVector.fromArray(S, " + in.field() + ", x" + ConvEmitter.plus(q + (long) j * VL) + ")");
            }
            for (int a = 0; a < b; a++) {
                c.line("g = FloatVector.broadcast(S, " + k.w() + "[w" + ConvEmitter.plus((long) a * k.oStride() + wq) + "])");
                for (int j = 0; j < P; j++) {
                    c.line("a" + j + "_" + a + " = v" + j + ".fma(g, a" + j + "_" + a + ")");
                }
            }
        }
        c.close().close();
        for (int a = 0; a < b; a++) {
            for (int j = 0; j < P; j++) {
                c.line("a" + j + "_" + a + ".intoArray(" + wide + ", so + " + ((long) a * Lr + (long) j * VL) + " + e)");
            }
        }
        c.close();
        return c;
    }

    /** {@code (rowBase + rowStep·p)·N} as the generated code writes it. */
    private static String kernelRow(TapGroup g, int n) {
        int base = g.rowBase(), step = g.rowStep();
        if (step > 0) {
            return "p * " + step * n + ConvEmitter.plus((long) base * n);
        }
        return "(" + base + " - " + (step == -1 ? "p" : -step + " * p") + ") * " + n;
    }

    static void forward(StepCtx s, Conv op) {
        Shape y = s.outBuf(0).shape();
        Shape x = s.inBuf(0).shape();
        Padded in = pad(s, s.inBuf(0), op.pt(), op.pb(), op.pl(), op.pr(), op.sh(), op.sw(), true);
        int MN = op.m() * op.n();
        wideConv(s, new Kernel(in, s.out(0), y.c(), y.h(), y.w(), op.m(), op.n(), s.in(1), x.c() * MN, MN, false,
                op.bias() ? s.in(2) : null), "sample chunk");
    }

    static void backwardData(StepCtx s, ConvBf bf) {
        backwardData(s, bf, null);
    }

    /** Conv_BF whose every map {@code ΔX[t][c]} starts from {@code bias[c]} (the field, or null for 0): deconv's forward. */
    static void backwardData(StepCtx s, ConvBf bf, String bias) {
        Conv op = bf.conv();
        if (op.sh() > 1 || op.sw() > 1) {
            stridedBackwardData(s, bf, bias);
            return;
        }
        Shape dx = s.outBuf(0).shape();
        int M = op.m(), N = op.n();
        Padded in = pad(s, s.inBuf(0), M - 1 - op.pt(), M - 1 - op.pb(), N - 1 - op.pl(), N - 1 - op.pr(), false);
        wideConv(s, new Kernel(in, s.out(0), dx.c(), dx.h(), dx.w(), M, N, s.in(1), M * N, dx.c() * M * N, true, bias),
                "sample chunk, input channels c of ΔX as the output channels (ΔX[t][c] written by one chunk)");
    }

    /**
     * conv_bf of a strided convolution, by the stride phases of ΔX. Pixel {@code (y, x)} of ΔX sits in
     * the padded input at {@code r = y + Pt = sh·u + a}, {@code q = x + Pl = sw·v + b}; the outputs
     * whose windows hold it are {@code i = u - p'} for the kernel rows {@code p = sh·p' + a} (columns
     * likewise), so each phase {@code (a, b)} of ΔX is a stride-1 convolution of ΔY with that phase's
     * taps, rotated:
     *
     * <pre>
     * ΔX[sh·u + a - Pt][sw·v + b - Pl] = Σ_k Σ_p'&lt;Ma Σ_q'&lt;Nb W[k][c][sh·p' + a][sw·q' + b] · ΔY[k][u - p'][v - q']
     * </pre>
     *
     * computed on ΔY zero-padded by {@code ceil(M/sh) - 1} rows and {@code ceil(N/sw) - 1} columns
     * (the most taps of a phase) in the wide layout, one phase after another into the same wide rows,
     * each then scattered to its pixels of ΔX. Every pixel of ΔX is in exactly one phase; a phase
     * without taps (a kernel smaller than the stride) gets the bias or zero.
     */
    private static void stridedBackwardData(StepCtx s, ConvBf bf, String bias) {
        Conv op = bf.conv();
        Shape dx = s.outBuf(0).shape();
        Shape dy = s.inBuf(0).shape();
        int T = dx.n(), C = dx.c(), H = dx.h(), W = dx.w(), K = dy.c(), Ho = dy.h(), Wo = dy.w();
        int M = op.m(), N = op.n(), sh = op.sh(), sw = op.sw();
        int mMax = phaseTaps(M, 0, sh), nMax = phaseTaps(N, 0, sw);
        int uh = (H - 1 + op.pt()) / sh + 1, vw = (W - 1 + op.pl()) / sw + 1;  // phase rows and columns holding a pixel of ΔX
        Padded in = pad(s, s.inBuf(0), mMax - 1, Math.max(0, uh - Ho), nMax - 1, Math.max(0, vw - Wo), false);
        Kernel k = new Kernel(in, s.out(0), C, uh, vw, M, N, s.in(1), M * N, C * M * N, true, bias);
        Blocks bl = blocks(s, T, C, (long) (uh - 1) * in.wp() + vw);
        Code c = bl.open(C, (long) K * in.channel());
        int index = 0;
        for (int b : bl.widths()) {
            bl.openWidth(c, b);
            for (int pa = 0; pa < sh; pa++) {
                for (int qa = 0; qa < sw; qa++) {
                    index = stridedPhase(s, c, op, k, dx, bl, b, pa, qa, index);
                }
            }
            c.close();
        }
        ConvTiles.Tile tile = bl.tile();
        s.kernel = "direct, Vector API, register tile " + tile + ", " + sh * sw + " stride phases, " + bl.chunks() + " chunks";
        s.main(bl.chunks(), (long) T * K * C * bl.lr() * M * N, "sample chunk, input channels c of ΔX as the output channels (ΔX[t][c] written by one"
                + " chunk), one stride phase of ΔX after another; register tile " + tile + " (" + tile.p() + "x" + tile.b() + " accumulators of "
                + VL + " lanes), wide rows of " + bl.lr() + " pixels", c.build(), bl.kg() == 1);
    }

    /**
     * Stride phase {@code (pa, qa)} of ΔX in {@link #stridedBackwardData}, for a block of {@code b}
     * channels: its taps into the wide rows (helpers named from {@code index} on; returns the next
     * index), then the scatter to its pixels {@code ΔX[sh·u + pa - Pt][sw·v + qa - Pl]}. A phase
     * without taps gets the bias or zero; one without pixels, nothing.
     */
    private static int stridedPhase(StepCtx s, Code c, Conv op, Kernel k, Shape dx, Blocks bl, int b, int pa, int qa, int index) {
        int H = dx.h(), W = dx.w(), M = op.m(), N = op.n(), sh = op.sh(), sw = op.sw(), pt = op.pt(), pl = op.pl();
        int u0 = Math.max(0, Math.floorDiv(pt - pa + sh - 1, sh)), u1 = Math.floorDiv(H - 1 + pt - pa, sh);
        int v0 = Math.max(0, Math.floorDiv(pl - qa + sw - 1, sw)), v1 = Math.floorDiv(W - 1 + pl - qa, sw);
        if (u1 < u0 || v1 < v0) {
            return index;  // no pixel of ΔX in this phase
        }
        int rows = phaseTaps(M, pa, sh), cols = phaseTaps(N, qa, sw);
        boolean taps = rows > 0 && cols > 0;
        String value = k.bias() == null ? "0f" : k.bias() + "[k + a]";
        if (taps) {
            int mMax = phaseTaps(M, 0, sh), nMax = phaseTaps(N, 0, sw), Wp = k.in().wp();
            TapGroup g = new TapGroup(rows, sh * (rows - 1) + pa, -sh, cols, sw * (cols - 1) + qa, -sw,
                    (long) (mMax - rows) * Wp + (nMax - cols), "kernel rows " + (sh * (rows - 1) + pa) + " .. " + pa + " by -" + sh
                            + " (stride phase (" + pa + ", " + qa + ") of ΔX, rotated)");
            List<String> helpers = taps(s, k, b, bl.tile().p(), bl.lr(), g, true, index);
            index += helpers.size();
            callHelpers(c, helpers, b, bl.tile().p(), bl.lr());
            value = bl.wide() + "[wo + u * " + Wp + " + v]";
        }
        c.comment("ΔX[t][k + a][" + sh + "·u" + ConvEmitter.plus(pa - pt) + "][" + sw + "·v" + ConvEmitter.plus(qa - pl)
                + "]: stride phase (" + pa + ", " + qa + ")" + (taps ? ", its wide rows" : ", no taps: " + (k.bias() == null ? "zero" : "the bias")));
        c.open("for (int a = 0; a < " + b + "; a++)")
                .line("int yo = (t * " + dx.c() + " + k + a) * " + (H * W))
                .line("int wo = so + a * " + bl.lr())
                .open("for (int u = " + u0 + "; u <= " + u1 + "; u++)")
                .one("for (int v = " + v0 + "; v <= " + v1 + "; v++) " + k.out() + "[yo + " + ConvEmitter.rowStart("u", sh, pa - pt, W)
                        + " + v * " + sw + ConvEmitter.plus(qa - pl) + "] = " + value)
                .close()
                .close();
        return index;
    }

    static void gradient(StepCtx s, ConvGrad grad) {
        Conv op = grad.conv();
        Shape dy = s.inBuf(0).shape();
        Shape x = s.inBuf(1).shape();
        int T = x.n(), C = x.c(), K = dy.c(), Ho = dy.h(), Wo = dy.w(), M = op.m(), N = op.n(), MN = M * N;
        Padded in = pad(s, s.inBuf(1), op.pt(), op.pb(), op.pl(), op.pr(), op.sh(), op.sw(), true);
        int Wp = in.wp();
        int Lr = (int) roundUp((long) (Ho - 1) * Wp + Wo);
        // ΔY in the wide layout, zeros in the thrown-away columns and the tail
        String dyw = s.scratch("dy", (long) T * K * Lr);
        Code w = new Code();
        w.line("int t = chunk");
        w.open("for (int k = 0; k < " + K + "; k++)")
                .line("int wo = (t * " + K + " + k) * " + Lr)
                .line("int yo = (t * " + K + " + k) * " + (Ho * Wo))
                .loop("e", 0, Lr, dyw + "[wo + e] = 0f")
                .one("for (int i = 0; i < " + Ho + "; i++) System.arraycopy(" + s.in(0) + ", yo + i * " + Wo + ", " + dyw + ", wo + i * "
                        + Wp + ", " + Wo + ")")
                .close();
        s.phase("dy", T, (long) T * K * Lr, "copies ΔY[t] into rows of " + Wp + " (zeros past column " + Wo + "), one sample each",
                w.build());
        ConvTiles.GradTile gt = ConvTiles.gradient(K, MN);
        int kt = gt.k();
        String lanes = s.scratch("lanes", (long) K * gt.taps() * VL);
        List<String> helpers = new ArrayList<>();
        for (int g0 = 0; g0 < MN; g0 += gt.taps()) {
            int g1 = Math.min(MN, g0 + gt.taps());
            Code c = new Code();
            for (int a = 0; a < kt; a++) {
                for (int j = g0; j < g1; j++) {
                    c.line("FloatVector a" + a + "_" + j + " = FloatVector.zero(S)");
                }
            }
            c.open("for (int t = 0; t < " + T + "; t++)")
                    .line("int d = (t * " + K + " + k0) * " + Lr)
                    .line("int x = (t * " + C + " + c) * " + in.channel())
                    .open("for (int e = 0; e < " + Lr + "; e += " + VL + ")");
            for (int a = 0; a < kt; a++) {
                c.line("FloatVector g" + a + " = FloatVector.fromArray(S, " + dyw + ", d" + ConvEmitter.plus((long) a * Lr) + " + e)");
            }
            c.line("FloatVector v");
            for (int j = g0; j < g1; j++) {
                c.line("v = FloatVector.fromArray(S, " + in.field() + ", x + e" + ConvEmitter.plus(in.tap(j / N, j % N)) + ")");
                for (int a = 0; a < kt; a++) {
                    c.line("a" + a + "_" + j + " = v.fma(g" + a + ", a" + a + "_" + j + ")");
                }
            }
            c.close().close();
            c.comment("ΔW[k0+a][c][tap] = the lanes of its accumulator added in a fixed order");
            c.line("int lo = k0 * " + gt.taps() * VL);
            for (int a = 0; a < kt; a++) {
                c.line("int wo" + a + " = (" + (a == 0 ? "k0" : "k0 + " + a) + ") * " + C * MN + " + c * " + MN);
                for (int j = g0; j < g1; j++) {
                    int l = (a * gt.taps() + j - g0) * VL;
                    c.line("a" + a + "_" + j + ".intoArray(" + lanes + ", lo + " + l + ")");
                    c.line(s.out(0) + "[wo" + a + " + " + j + "] = sum8(" + lanes + ", lo + " + l + ")");
                }
            }
            helpers.add(s.helper("taps" + g0 / gt.taps(), "ΔW[k0 .. k0+" + (kt - 1) + "][c] of the taps " + g0 + " .. " + (g1 - 1)
                    + ": Σ_t Σ_e ΔY'[t][k][e] · " + (in.phases() == 1 ? "Xp[t][c][e + p·" + Wp + " + q]"
                            : "P_(p mod " + op.sh() + ", q mod " + op.sw() + ")[t][c][e + (p / " + op.sh() + ")·" + Wp + " + q / " + op.sw() + "]")
                    + ", one accumulator per output channel and tap"
                    + " (a register tile of " + kt + " channels x " + (g1 - g0) + " taps).", List.of("k0", "c"), c.build()));
        }
        Code c = new Code();
        c.line("int k0 = chunk * " + kt);
        c.open("for (int c = 0; c < " + C + "; c++)");
        helpers.forEach(h -> c.line(h + "(k0, c)"));
        c.close();
        if (op.bias()) {
            c.open("for (int k = k0; k < k0 + " + kt + "; k++)");
            ConvEmitter.biasGradient(c, s, T, K, Ho * Wo);
            c.close();
        }
        s.kernel = "direct, Vector API, register tile " + kt + " channels x " + gt.taps() + " taps, " + K / kt + " chunks";
        s.main(K / kt, (long) T * K * C * Lr * MN, "output channels k0 .. k0+" + (kt - 1) + " each (k0 = " + kt
                + "·chunk): ΔW[k] and Δb[k] sum over t and the map inside the chunk, so no sum crosses threads; register tile "
                + kt + " channels x up to " + gt.taps() + " taps", c.build());
    }

}
