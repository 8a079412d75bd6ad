package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Init;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ir.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code conv(x, K, kernel: MxN, anchor: (m,n) | padding: same|valid|full, stride: SxS, bias, init)}.
 * Weights {@code W[K][C][M][N]}, bias {@code b[K]}; pads {@code Pt, Pb, Pl, Pr} (negative pads crop).
 *
 * <p>Forward: {@code Y[t][k][i][j] = b[k] + Σ_c Σ_p Σ_q W[k][c][p][q] · X[t][c][i·sh - Pt + p][j·sw - Pl + q]},
 * {@code H' = floor((H + Pt + Pb - M) / sh) + 1}.
 * <br>Backward: {@code ΔX = conv_bf(ΔY, V)} with {@code V[c][k][p][q] = W[k][c][M-1-p][N-1-q]} and the
 * backward anchor {@code (M-1-m, N-1-n)}; {@code ΔW, Δb = conv_grad(ΔY, X)}.
 *
 * @param init    how the weights start: {@link Init#HE} or {@link Init#XAVIER}
 * @param padding how the user chose the pads: a {@link Padding.Mode} or an explicit {@link Padding.Anchor}
 */
public record Conv(int k, int m, int n, int pt, int pb, int pl, int pr, int sh, int sw, boolean bias, Init init,
                   Padding padding, Algo algo) implements ForwardOp {

    /**
     * How a convolution step is computed ({@code algo:}): what the file asks for, then, after the
     * {@code conv-kernels} pass ({@code cnnc.passes.ConvKernels}), what each conv, conv_bf and
     * conv_grad step was given. Results differ only in rounding; it is no part of the graph's identity
     * ({@link #toString} leaves it out, so {@code GraphHash} and weight files do not see it).
     */
    public enum Algo implements Word {
        /** The compiler chooses from the shapes (the {@code conv-kernels} pass's cost model). */
        AUTO("auto"),
        /** Scalar loops over the kernel window (any stride, any anchor; what tiny layers and plain Java get). */
        SCALAR("scalar"),
        /**
         * The register-tiled direct convolution on the Vector API: every pad within {@code 0 .. size-1},
         * any stride (a strided input, or for conv_bf a strided ΔX, is split into its stride phases).
         */
        DIRECT("direct"),
        /**
         * Winograd with the output tile the {@code conv-kernels} pass chooses from the shapes ({@link #WINOGRAD2}
         * or {@link #WINOGRAD4}): 3x3 kernels, stride 1, every pad within {@code 0 .. 2}; forward and
         * backward-data. What a file asks for; the pass records the tile it chose.
         */
        WINOGRAD("winograd"),
        /** Winograd F(2x2, 3x3): output tiles of 2x2 pixels, 16 GEMMs, 2.25x fewer multiplications than direct. */
        WINOGRAD2("winograd2"),
        /** Winograd F(4x4, 3x3): output tiles of 4x4 pixels, 36 GEMMs, 4x fewer multiplications than direct. */
        WINOGRAD4("winograd4");

        private final String word;

        Algo(String word) {
            this.word = word;
        }

        @Override
        public String word() {
            return word;
        }

        @Override
        public String toString() {
            return word;
        }

        /** Whether this algorithm can compute {@code conv} (and its conv_bf): see each constant. */
        public boolean applies(Conv conv) {
            boolean inside = conv.pt() >= 0 && conv.pb() >= 0 && conv.pl() >= 0 && conv.pr() >= 0
                    && conv.pt() <= conv.m() - 1 && conv.pb() <= conv.m() - 1 && conv.pl() <= conv.n() - 1 && conv.pr() <= conv.n() - 1;
            boolean unit = conv.sh() == 1 && conv.sw() == 1;
            return switch (this) {
                case AUTO, SCALAR -> true;
                case DIRECT -> inside;
                case WINOGRAD, WINOGRAD2, WINOGRAD4 -> inside && unit && conv.m() == 3 && conv.n() == 3;
            };
        }

        /** Whether this is Winograd, with its tile chosen or not. */
        public boolean winograd() {
            return this == WINOGRAD || this == WINOGRAD2 || this == WINOGRAD4;
        }

        /** The output tile side of a Winograd algorithm whose tile is chosen (2 or 4), else 0. */
        public int winogradTile() {
            return this == WINOGRAD2 ? 2 : this == WINOGRAD4 ? 4 : 0;
        }

        /** What {@link #applies} requires, for messages. */
        String requirement() {
            return switch (this) {
                case AUTO, SCALAR -> "nothing";
                case DIRECT -> "an anchor inside the window (pads 0 .. kernel size - 1)";
                case WINOGRAD, WINOGRAD2, WINOGRAD4 -> "a 3x3 kernel, stride 1 and an anchor inside the window (pads 0 .. 2)";
            };
        }
    }

    /** How a conv's pads were chosen. Its text ({@code same}, {@code anchor (1,1)}) is what dumps print. */
    public sealed interface Padding {

        /** {@code padding: same|valid|full}. */
        enum Mode implements Padding, Word {
            /** Output as large as the input at stride 1: anchor {@code ((M-1)/2, (N-1)/2)}. */
            SAME("same"),
            /** Only windows inside the input: no pads. */
            VALID("valid"),
            /** Every window that overlaps the input: pads {@code M-1} and {@code N-1} on both sides. */
            FULL("full");

            private final String word;

            Mode(String word) {
                this.word = word;
            }

            @Override
            public String word() {
                return word;
            }

            @Override
            public String toString() {
                return word;
            }
        }

        /** {@code anchor: (m,n)}: the window cell over the output pixel; may lie outside the window. */
        record Anchor(int m, int n) implements Padding {
            @Override
            public String toString() {
                return "anchor (" + m + "," + n + ")";
            }
        }
    }

    /** The weight initializers a conv or full accepts. */
    static final List<Init> WEIGHT_INITS = List.of(Init.HE, Init.XAVIER);

    public static final Signature SIGNATURE = Signature.of("conv", 1,
            Param.count("K", true), Param.size2("kernel"), Param.pair("anchor"),
            Param.choice("padding", Padding.Mode.SAME), Param.size2("stride", 1, 1),
            Param.bool("bias", true), Param.choice("init", Init.HE, WEIGHT_INITS), Param.choice("algo", Algo.AUTO));

    /** Checks a use of conv and builds it, or reports why not and returns null. */
    public static Conv define(Call c) {
        int[] kernel = c.size2("kernel");
        int[] stride = c.size2("stride");
        int mm = kernel[0];
        int nn = kernel[1];
        Padding padding;
        if (c.given("anchor")) {
            if (c.given("padding")) {
                c.error(c.pos("padding"), "conv '" + c.node() + "' takes an anchor or a padding, not both",
                        "either anchor: (m,n) or padding: same|valid|full");
                return null;
            }
            int[] anchor = c.pair("anchor");
            padding = new Padding.Anchor(anchor[0], anchor[1]);
        } else {
            padding = c.choice("padding", Padding.Mode.class);
        }
        // pads before (the anchor) and after: the window's cells on either side of the output pixel
        long pt;
        long pl;
        long pb;
        long pr;
        switch (padding) {
            case Padding.Mode mode when mode == Padding.Mode.VALID -> {
                pt = pl = pb = pr = 0;
            }
            case Padding.Mode mode when mode == Padding.Mode.FULL -> {
                pt = pb = mm - 1;
                pl = pr = nn - 1;
            }
            case Padding.Mode mode -> {
                pt = (mm - 1) / 2;
                pl = (nn - 1) / 2;
                pb = mm - 1L - pt;
                pr = nn - 1L - pl;
            }
            case Padding.Anchor a -> {
                pt = a.m();
                pl = a.n();
                pb = mm - 1L - pt;
                pr = nn - 1L - pl;
            }
        }
        if (pb > Integer.MAX_VALUE || pr > Integer.MAX_VALUE) {
            c.error(c.pos("kernel"), "conv '" + c.node() + "': a " + mm + "x" + nn + " kernel with anchor (" + pt + "," + pl
                    + ") pads its input by more than " + Integer.MAX_VALUE, "a smaller kernel");
            return null;
        }
        Algo algo = c.choice("algo", Algo.class);
        Conv conv = new Conv(c.count("K"), mm, nn, (int) pt, (int) pb, (int) pl, (int) pr, stride[0], stride[1], c.bool("bias"),
                c.choice("init", Init.class), padding, algo);
        if (!algo.applies(conv)) {
            c.error(c.pos("algo"), "conv '" + c.node() + "': algo " + algo + " needs " + algo.requirement() + ", not a " + mm + "x"
                    + nn + " kernel with stride " + stride[0] + "x" + stride[1] + " and pads (" + pt + "," + pb + "," + pl + "," + pr + ")",
                    "algo: auto (the compiler's choice)" + (Algo.DIRECT.applies(conv) ? " or direct" : " or scalar"));
            return null;
        }
        return conv.checkWindow(c) ? conv : null;
    }

    /** This conv computed with {@code a}. */
    public Conv withAlgo(Algo a) {
        return new Conv(k, m, n, pt, pb, pl, pr, sh, sw, bias, init, padding, a);
    }

    /**
     * The record's text without {@link #algo}: how a conv is computed is not what it computes, and
     * {@code GraphHash} hashes this text (weights trained with one kernel load under another).
     */
    @Override
    public String toString() {
        return "Conv[k=" + k + ", m=" + m + ", n=" + n + ", pt=" + pt + ", pb=" + pb + ", pl=" + pl + ", pr=" + pr + ", sh=" + sh
                + ", sw=" + sw + ", bias=" + bias + ", init=" + init + ", padding=" + padding + "]";
    }

    private boolean checkWindow(Call c) {
        Shape x = c.shape(0);
        long h = outSize(x.h(), m, pt, pb, sh);
        long w = outSize(x.w(), n, pl, pr, sw);
        String where = padding instanceof Padding.Anchor ? "with " + padding : "with padding " + padding;
        if (h < 1 || w < 1) {
            long maxM = (long) x.h() + pt + pb;
            long maxN = (long) x.w() + pl + pr;
            c.error(c.pos("kernel"), "conv '" + c.node() + "': a " + m + "x" + n + " kernel " + where
                    + " leaves no output for its " + x.h() + "x" + x.w() + " input",
                    maxM >= 1 && maxN >= 1 ? "a kernel of at most " + maxM + "x" + maxN + ", or padding: same"
                            : "an anchor inside the kernel, or padding: same");
            return false;
        }
        double size = (double) x.n() * k * h * w;
        if (size > Integer.MAX_VALUE) {
            c.error(c.pos(), "tensor '" + c.node() + "' of " + x.n() + "x" + k + "x" + h + "x" + w + " has "
                    + String.format("%.0f", size) + " elements, more than an int can index",
                    "at most " + Integer.MAX_VALUE + " elements (a smaller batch, kernel or padding)");
            return false;
        }
        boolean overlaps = -pt <= x.h() - 1 && (h - 1) * sh - pt + m - 1 >= 0
                && -pl <= x.w() - 1 && (w - 1) * sw - pl + n - 1 >= 0;
        if (!overlaps) {
            c.error(c.pos("anchor"), "conv '" + c.node() + "': " + padding + " puts every window outside its "
                    + x.h() + "x" + x.w() + " input", "an anchor within " + x.h() + " rows and " + x.w() + " columns of the window");
            return false;
        }
        return true;
    }

    /** {@code floor((size + padBefore + padAfter - kernel) / stride) + 1}. */
    static long outSize(int size, int kernel, int before, int after, int stride) {
        return Math.floorDiv((long) size + before + after - kernel, stride) + 1;
    }

    @Override
    public Shape outShape(List<Shape> in) {
        Shape x = in.get(0);
        return Shape.of(x.n(), k, (int) outSize(x.h(), m, pt, pb, sh), (int) outSize(x.w(), n, pl, pr, sw));
    }

    @Override
    public List<Buffer> params(String node, List<Shape> in) {
        List<Buffer> out = new ArrayList<>();
        out.add(Buffer.owned(node, "weight", Role.PARAMETER, Shape.of(k, in.get(0).c(), m, n), init));
        if (bias) {
            out.add(Buffer.owned(node, "bias", Role.PARAMETER, Shape.of(k), Init.ZERO));
        }
        return out;
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        Buffer x = step.input(0);
        Buffer dy = ctx.sensitivity(step.output());
        List<Step> out = new ArrayList<>();
        if (ctx.needs(x)) {
            out.add(ctx.step(new ConvBf(this), List.of(dy, step.input(1)), List.of(ctx.contribution(step, 0)), step));
        }
        List<Buffer> grads = step.inputs().subList(1, step.inputs().size()).stream().map(ctx::gradient).toList();
        out.add(ctx.step(new ConvGrad(this), List.of(dy, x), grads, step));
        return out;
    }

    /** {@code ", algo winograd"} once chosen, nothing for {@link Algo#AUTO}: what dumps print after the conv-kernels pass. */
    static String algoDetail(Algo a) {
        return a == Algo.AUTO ? "" : ", algo " + a.word();
    }

    /** The anchor {@code (m, n)} the pads correspond to. */
    public int[] anchor() {
        return new int[] {pt, pl};
    }

    @Override
    public String mnemonic() {
        return "conv";
    }

    @Override
    public String formula() {
        return "Y[t][k][i][j] = " + (bias ? "b[k] + " : "")
                + "Σ_c Σ_p<" + m + " Σ_q<" + n + " W[k][c][p][q] · X[t][c][i·" + sh + " - " + pt + " + p][j·" + sw + " - " + pl + " + q]";
    }

    @Override
    public String detail(Step step) {
        return "kernel " + m + "x" + n + ", " + padding + ", pads (" + pt + "," + pb + "," + pl + "," + pr + ")"
                + (sh * sw > 1 ? ", stride " + sh + "x" + sw : "") + algoDetail(algo);
    }
}
