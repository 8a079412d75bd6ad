package cnnc.ops;

/** An operation of the backward graph; ordinary operations with their own formulas. */
public sealed interface BackwardOp extends Op
        permits ConvBf, ConvGrad, BnBf, BnGrad, ActivationBf, MaxPoolBf, AvgPoolBf, FullBf, FullGrad,
                SoftmaxCeBf, SoftmaxBf, AddBf, ConcatBf, Accumulate, DeconvBf, DeconvGrad, BiasGrad, DropoutBf {
}
