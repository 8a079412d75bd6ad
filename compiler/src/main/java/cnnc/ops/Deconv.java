package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Init;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code deconv(x, K, kernel: MxN, stride: SxS, padding: (p,q), output_padding: (a,b), bias, init)}: the
 * transposed convolution, PyTorch's {@code conv_transpose2d}. Weights {@code W[C][K][M][N]} (input channels
 * first, as PyTorch lays them out), bias {@code b[K]}.
 *
 * <p>Forward: every input pixel scatters its window, {@code Y[t][k][i·sh - p + u][j·sw - q + v] += X[t][c][i][j] · W[c][k][u][v]},
 * {@code H' = sh·(H-1) + M - 2p + a}: the input dilated by the stride (zeros between its pixels), padded
 * {@code M-1-p} rows above and {@code M-1-p+a} below, convolved with the rotated kernel. That is exactly
 * {@code conv_bf} of {@link #dual}, the convolution from {@code H'} to {@code H} with pads {@code (p, p-a)}: the
 * backends run the conv_bf kernels, starting each sum from {@code b[k]}.
 * <br>Backward: {@code ΔX = conv(ΔY, W)} with the dual convolution's geometry ({@link DeconvBf}, the conv
 * kernels); {@code ΔW = conv_grad} of the dual with the roles of {@code X} and {@code ΔY} swapped
 * ({@link DeconvGrad}); {@code Δb[k] = Σ_t,i,j ΔY[t][k][i][j]} ({@link BiasGrad}).
 *
 * @param c  input channels (the dual convolution's output channels)
 * @param ph rows cropped from the top of the full output (PyTorch's {@code padding}); {@code ph - ah} from the bottom
 * @param ah rows added at the bottom (PyTorch's {@code output_padding}), {@code 0 <= ah < sh}
 * @param algo how the dual's conv_bf kernel computes it (the {@code conv-kernels} pass: direct or scalar;
 *             {@link Conv.Algo#AUTO} before it ran)
 */
public record Deconv(int k, int c, int m, int n, int ph, int pw, int ah, int aw, int sh, int sw, boolean bias, Init init,
                     Conv.Algo algo) implements ForwardOp {

    public static final Signature SIGNATURE = Signature.of("deconv", 1,
            Param.count("K", true), Param.size2("kernel"), Param.size2("stride", 1, 1), Param.pair("padding"),
            Param.pair("output_padding"), Param.bool("bias", true), Param.choice("init", Init.HE, Conv.WEIGHT_INITS));

    /** Before the conv-kernels pass: the kernel not yet chosen. */
    public Deconv(int k, int c, int m, int n, int ph, int pw, int ah, int aw, int sh, int sw, boolean bias, Init init) {
        this(k, c, m, n, ph, pw, ah, aw, sh, sw, bias, init, Conv.Algo.AUTO);
    }

    /** This deconv computed with {@code a}. */
    public Deconv withAlgo(Conv.Algo a) {
        return new Deconv(k, c, m, n, ph, pw, ah, aw, sh, sw, bias, init, a);
    }

    /**
     * The record's text without {@link #algo}: how a deconv is computed is not what it computes, and
     * {@code GraphHash} hashes this text (as {@link Conv#toString}).
     */
    @Override
    public String toString() {
        return "Deconv[k=" + k + ", c=" + c + ", m=" + m + ", n=" + n + ", ph=" + ph + ", pw=" + pw + ", ah=" + ah + ", aw=" + aw
                + ", sh=" + sh + ", sw=" + sw + ", bias=" + bias + ", init=" + init + "]";
    }

    /** Checks a use of deconv and builds it, or reports why not and returns null. */
    public static Deconv define(Call c) {
        int[] kernel = c.size2("kernel");
        int[] stride = c.size2("stride");
        int[] pad = c.given("padding") ? c.pair("padding") : new int[] {0, 0};
        int[] extra = c.given("output_padding") ? c.pair("output_padding") : new int[] {0, 0};
        if (pad[0] < 0 || pad[1] < 0) {
            c.error(c.pos("padding"), "deconv '" + c.node() + "': padding (" + pad[0] + "," + pad[1] + ") is negative",
                    "padding: (p,q) with p, q >= 0 (rows and columns cropped from each side of the output)");
            return null;
        }
        if (extra[0] < 0 || extra[1] < 0 || extra[0] >= stride[0] || extra[1] >= stride[1]) {
            c.error(c.pos("output_padding"), "deconv '" + c.node() + "': output_padding (" + extra[0] + "," + extra[1]
                    + ") must be smaller than the stride " + stride[0] + "x" + stride[1] + " and not negative",
                    "output_padding: (a,b) with 0 <= a < " + stride[0] + " and 0 <= b < " + stride[1]);
            return null;
        }
        Shape x = c.shape(0);
        Deconv d = new Deconv(c.count("K"), x.c(), kernel[0], kernel[1], pad[0], pad[1], extra[0], extra[1],
                stride[0], stride[1], c.bool("bias"), c.choice("init", Init.class));
        long h = outSize(x.h(), d.m, d.ph, d.ah, d.sh);
        long w = outSize(x.w(), d.n, d.pw, d.aw, d.sw);
        if (h < 1 || w < 1) {
            c.error(c.pos("padding"), "deconv '" + c.node() + "': padding (" + pad[0] + "," + pad[1] + ") crops all of the "
                    + outSize(x.h(), d.m, 0, 0, d.sh) + "x" + outSize(x.w(), d.n, 0, 0, d.sw) + " output of a " + d.m + "x" + d.n
                    + " kernel over its " + x.h() + "x" + x.w() + " input",
                    "padding of at most (" + Math.max(0, (outSize(x.h(), d.m, 0, d.ah, d.sh) - 1) / 2) + ","
                            + Math.max(0, (outSize(x.w(), d.n, 0, d.aw, d.sw) - 1) / 2) + ")");
            return null;
        }
        double size = (double) x.n() * d.k * h * w;
        if (size > Integer.MAX_VALUE) {
            c.error(c.pos(), "tensor '" + c.node() + "' of " + x.n() + "x" + d.k + "x" + h + "x" + w + " has "
                    + String.format("%.0f", size) + " elements, more than an int can index",
                    "at most " + Integer.MAX_VALUE + " elements (a smaller batch, kernel or stride)");
            return null;
        }
        return d;
    }

    /** {@code s·(i-1) + k - 2p + a}. */
    static long outSize(int size, int kernel, int pad, int extra, int stride) {
        return (long) stride * (size - 1) + kernel - 2L * pad + extra;
    }

    /**
     * The convolution this deconv transposes: from a {@code H'} map to the deconv's input, {@code C} output
     * channels, pads {@code (p, p-a)} (a negative pad crops), no bias. Its backward-data is this forward.
     */
    public Conv dual() {
        return new Conv(c, m, n, ph, ph - ah, pw, pw - aw, sh, sw, false, init, new Conv.Padding.Anchor(ph, pw), Conv.Algo.AUTO);
    }

    @Override
    public Shape outShape(List<Shape> in) {
        Shape x = in.get(0);
        return Shape.of(x.n(), k, (int) outSize(x.h(), m, ph, ah, sh), (int) outSize(x.w(), n, pw, aw, sw));
    }

    @Override
    public List<Buffer> params(String node, List<Shape> in) {
        List<Buffer> out = new ArrayList<>();
        // [C][K][M][N] as PyTorch's ConvTranspose2d: fan_in = K·M·N, fan_out = C·M·N (Initializers reads them off the shape)
        out.add(Buffer.owned(node, "weight", Role.PARAMETER, Shape.of(in.get(0).c(), k, m, n), init));
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
            out.add(ctx.step(new DeconvBf(withAlgo(Conv.Algo.AUTO)), List.of(dy, step.input(1)), List.of(ctx.contribution(step, 0)), step));
        }
        out.add(ctx.step(new DeconvGrad(withAlgo(Conv.Algo.AUTO)), List.of(x, dy), List.of(ctx.gradient(step.input(1))), step));
        if (bias) {
            out.add(ctx.step(new BiasGrad(), List.of(dy), List.of(ctx.gradient(step.input(2))), step));
        }
        return out;
    }

    @Override
    public String mnemonic() {
        return "deconv";
    }

    @Override
    public String formula() {
        return "Y[t][k][i·" + sh + " - " + ph + " + u][j·" + sw + " - " + pw + " + v] += X[t][c][i][j] · W[c][k][u][v]"
                + " (u<" + m + ", v<" + n + ")" + (bias ? ", from b[k]" : "");
    }

    @Override
    public String detail(Step step) {
        return "kernel " + m + "x" + n + ", padding (" + ph + "," + pw + ")"
                + (ah + aw > 0 ? ", output_padding (" + ah + "," + aw + ")" : "")
                + (sh * sw > 1 ? ", stride " + sh + "x" + sw : "") + "; computed as conv_bf of the conv with pads ("
                + ph + "," + (ph - ah) + "," + pw + "," + (pw - aw) + ")" + Conv.algoDetail(algo);
    }
}
