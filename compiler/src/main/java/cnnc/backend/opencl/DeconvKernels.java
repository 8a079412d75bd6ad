package cnnc.backend.opencl;

import cnnc.ir.Step;
import cnnc.ops.BiasGrad;
import cnnc.ops.ConvBf;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;
import java.util.List;

/**
 * The transposed convolution on the convolution kernels ({@link ConvKernels}), nothing of its own:
 * forward is conv_bf of its dual convolution starting from the bias, deconv_bf a conv of ΔY with the
 * dual's geometry, deconv_grad a conv_grad with X and ΔY in each other's places.
 */
final class DeconvKernels {

    private DeconvKernels() {}

    static List<Kernel> forward(Names names, Step step, Deconv op) {
        return ConvKernels.sensitivity(names, step, new ConvBf(op.dual()), op.bias() ? step.input(2) : null, "deconv",
                "deconv '" + step.node() + "' (the conv_bf gather: X read as ΔY, Y written as ΔX, W[c][k] as W[k][c])");
    }

    static List<Kernel> sensitivity(Names names, Step step, DeconvBf bf) {
        return ConvKernels.forward(names, step, bf.deconv().dual(), null, "deconv_bf",
                "deconv_bf for deconv '" + step.node() + "' (a conv of ΔY)", bf.formula());
    }

    static List<Kernel> gradient(Names names, Step step, DeconvGrad grad) {
        return ConvKernels.gradient(names, step, grad.convGrad(), "deconv_grad",
                "deconv_grad for deconv '" + step.node() + "' (conv_grad with X as ΔY and ΔY as X)", grad.formula());
    }

    static List<Kernel> bias(Names names, Step step, BiasGrad op) {
        return List.of(ConvKernels.biasGradient(names, "bias_grad", step, step.output(), step.input(0)));
    }
}
