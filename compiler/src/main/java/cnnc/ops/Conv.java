package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
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
 * @param padding how the user chose the pads, for dumps: {@code same}, {@code valid}, {@code full} or {@code anchor (m,n)}
 */
public record Conv(int k, int m, int n, int pt, int pb, int pl, int pr, int sh, int sw, boolean bias, String init,
                   String padding) implements ForwardOp {

    public static final Signature SIGNATURE = Signature.of("conv", 1,
            Param.count("K", true), new Param("kernel", Param.Kind.SIZE2, true, null, List.of()), Param.pair("anchor"),
            Param.choice("padding", "same", "same", "valid", "full"), Param.size2("stride", new int[] {1, 1}),
            Param.bool("bias", true), Param.choice("init", "he", "he", "xavier"));

    /** Checks a use of conv and builds it, or reports why not and returns null. */
    public static Conv define(Call c) {
        int[] kernel = c.size2("kernel");
        int[] stride = c.size2("stride");
        int mm = kernel[0];
        int nn = kernel[1];
        int[] anchor;
        String label;
        if (c.given("anchor")) {
            if (c.given("padding")) {
                c.error(c.pos("padding"), "conv '" + c.node() + "' takes an anchor or a padding, not both",
                        "either anchor: (m,n) or padding: same|valid|full");
                return null;
            }
            anchor = c.pair("anchor");
            label = "anchor (" + anchor[0] + "," + anchor[1] + ")";
        } else {
            label = c.choice("padding");
            anchor = switch (label) {
                case "valid" -> new int[] {0, 0};
                case "full" -> new int[] {mm - 1, nn - 1};
                default -> new int[] {(mm - 1) / 2, (nn - 1) / 2};
            };
        }
        int pt = anchor[0];
        int pl = anchor[1];
        long pb = label.equals("valid") ? 0 : label.equals("full") ? mm - 1 : mm - 1L - pt;
        long pr = label.equals("valid") ? 0 : label.equals("full") ? nn - 1 : nn - 1L - pl;
        if (pb > Integer.MAX_VALUE || pr > Integer.MAX_VALUE) {
            c.error(c.pos("kernel"), "conv '" + c.node() + "': a " + mm + "x" + nn + " kernel with anchor (" + pt + "," + pl
                    + ") pads its input by more than " + Integer.MAX_VALUE, "a smaller kernel");
            return null;
        }
        Conv conv = new Conv(c.count("K"), mm, nn, pt, (int) pb, pl, (int) pr, stride[0], stride[1], c.bool("bias"),
                c.choice("init"), label);
        return conv.checkWindow(c) ? conv : null;
    }

    private boolean checkWindow(Call c) {
        Shape x = c.shape(0);
        long h = outSize(x.h(), m, pt, pb, sh);
        long w = outSize(x.w(), n, pl, pr, sw);
        String where = padding.startsWith("anchor") ? "with " + padding : "with padding " + padding;
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
        out.add(Buffer.f32(node + ".weight", Role.PARAMETER, Shape.of(k, in.get(0).c(), m, n)));
        if (bias) {
            out.add(Buffer.f32(node + ".bias", Role.PARAMETER, Shape.of(k)));
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
                + (sh * sw > 1 ? ", stride " + sh + "x" + sw : "");
    }
}
