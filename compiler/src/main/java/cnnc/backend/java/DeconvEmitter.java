package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.BiasGrad;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;

/**
 * The transposed convolution on the convolution emitters, scalar or Vector API as the step records (the
 * {@code conv-kernels} pass; {@link Emitters#algo}): forward is conv_bf of its dual convolution
 * ({@link Deconv#dual}) starting from the bias, deconv_bf a conv of ΔY, deconv_grad a conv_grad with X and ΔY in each other's places.
 */
final class DeconvEmitter {

    private DeconvEmitter() {}

    static void forward(StepCtx s, Deconv op) {
        ConvBf bf = new ConvBf(op.dual());
        String bias = op.bias() ? s.in(2) : null;
        if (Emitters.algo(s, bf.conv(), op.algo()) == Conv.Algo.DIRECT) {
            VectorConvEmitter.backwardData(s, bf, bias);
        } else {
            ConvEmitter.backwardData(s, bf, bias);
        }
    }

    static void backwardData(StepCtx s, DeconvBf bf) {
        Conv conv = bf.deconv().dual();
        if (Emitters.algo(s, conv, bf.algo()) == Conv.Algo.DIRECT) {
            VectorConvEmitter.forward(s, conv);
        } else {
            ConvEmitter.forward(s, conv);
        }
    }

    static void gradient(StepCtx s, DeconvGrad grad) {
        if (Emitters.algo(s, grad.convGrad().conv(), grad.algo()) == Conv.Algo.DIRECT) {
            VectorConvEmitter.gradient(s, grad.convGrad());
        } else {
            ConvEmitter.gradient(s, grad.convGrad());
        }
    }

    /** Δb[k] = Σ_t,i,j ΔY[t][k][i][j]: one chunk per channel, summed in double in (t, i, j) order as conv_grad's bias. */
    static void bias(StepCtx s, BiasGrad op) {
        Shape dy = s.inBuf(0).shape();
        Code c = new Code();
        c.line("int k = chunk");
        c.comment("Δb[k] = Σ_t,i,j ΔY[t][k][i][j], summed in double");
        c.line("double bsum = 0");
        int hw = dy.h() * dy.w();
        c.open("for (int t = 0; t < " + dy.n() + "; t++)")
                .line("int yo = (t * " + dy.c() + " + k) * " + hw)
                .loop("e", 0, hw, "bsum += " + s.in(0) + "[yo + e]")
                .close();
        c.line(s.out(0) + "[k] = (float) bsum");
        s.main(dy.c(), dy.size(), "one channel k each: Δb[k] sums over t, i, j inside the chunk", c.build());
    }
}
