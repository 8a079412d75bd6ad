package cnnc.backend.java;

import cnnc.ops.Accumulate;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import cnnc.ops.Add;
import cnnc.ops.AddBf;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.BatchNorm;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import cnnc.ops.Concat;
import cnnc.ops.ConcatBf;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.CrossEntropy;
import cnnc.ops.BiasGrad;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;
import cnnc.ops.Dropout;
import cnnc.ops.DropoutBf;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Pool;
import cnnc.ops.Softmax;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;

/**
 * The one place that maps every operation to its emitter: an exhaustive switch over the sealed
 * op types without {@code default}, so a new operation breaks the build here until it has code.
 */
final class Emitters {

    private Emitters() {}

    /**
     * The kernel of a convolution step: what the IR records (the {@code conv-kernels} pass), and the
     * scalar loops for a class without the Vector API or an algorithm that does not apply.
     *
     * @throws IllegalStateException for a step the pass did not see (a model that skipped {@code Pipeline})
     */
    static Conv.Algo algo(StepCtx s, Conv conv, Conv.Algo recorded) {
        if (recorded == Conv.Algo.AUTO) {
            throw new IllegalStateException(s.step.op().mnemonic() + " '" + s.step.node()
                    + "' has no kernel: compile the model with cnnc.passes.Pipeline (its conv-kernels pass chooses it)");
        }
        if (!s.vector) {
            return Conv.Algo.SCALAR;
        }
        if (recorded == Conv.Algo.WINOGRAD) {
            throw new IllegalStateException(s.step.op().mnemonic() + " '" + s.step.node()
                    + "' has no Winograd tile: compile the model with cnnc.passes.Pipeline (its conv-kernels pass chooses it)");
        }
        return recorded.applies(conv) ? recorded : Conv.Algo.SCALAR;
    }

    /** What {@code cnnc check} calls a convolution step on the plain-Java kernels, and why it runs them. */
    static String scalarLoops(StepCtx s) {
        return "scalar loops" + (s.vector ? " (algo scalar, or pads outside the vector kernels' range)" : " (plain Java)");
    }

    static void emit(StepCtx s) {
        switch (s.step.op()) {
            case Conv op -> {
                Conv.Algo a = algo(s, op, op.algo());
                switch (a) {
                    case WINOGRAD2, WINOGRAD4 -> WinogradEmitter.forward(s, op, a.winogradTile());
                    case DIRECT -> VectorConvEmitter.forward(s, op);
                    case SCALAR, AUTO, WINOGRAD -> ConvEmitter.forward(s, op); // AUTO and a bare WINOGRAD: refused by algo()
                }
            }
            case ConvBf op -> {
                Conv.Algo a = algo(s, op.conv(), op.algo());
                switch (a) {
                    case WINOGRAD2, WINOGRAD4 -> WinogradEmitter.backwardData(s, op, a.winogradTile());
                    case DIRECT -> VectorConvEmitter.backwardData(s, op);
                    case SCALAR, AUTO, WINOGRAD -> ConvEmitter.backwardData(s, op);
                }
            }
            case ConvGrad op -> {
                switch (algo(s, op.conv(), op.algo())) {
                    case WINOGRAD2 -> WinogradGradEmitter.gradient(s, op);
                    case DIRECT -> VectorConvEmitter.gradient(s, op);
                    case WINOGRAD4, WINOGRAD -> throw new IllegalStateException("conv_grad '" + s.step.node()
                            + "': the weight gradient has only F(2x2, 3x3) (the conv-kernels pass records winograd2)");
                    case SCALAR, AUTO -> ConvEmitter.gradient(s, op);
                }
            }
            case Pool op -> PoolEmitter.forward(s, op);
            case MaxPoolBf op -> PoolEmitter.maxBackward(s, op);
            case AvgPoolBf op -> PoolEmitter.avgBackward(s, op);
            case BatchNorm op -> BnEmitter.forward(s, op);
            case BnBf op -> BnEmitter.backwardData(s, op);
            case BnGrad op -> BnEmitter.gradient(s, op);
            case Full op -> {
                if (s.vector) {
                    VectorFullEmitter.forward(s, op);
                } else {
                    FullEmitter.forward(s, op);
                }
            }
            case FullBf op -> {
                if (s.vector) {
                    VectorFullEmitter.backwardData(s, op);
                } else {
                    FullEmitter.backwardData(s, op);
                }
            }
            case FullGrad op -> {
                if (s.vector) {
                    VectorFullEmitter.gradient(s, op);
                } else {
                    FullEmitter.gradient(s, op);
                }
            }
            case Activation op -> ActivationEmitter.forward(s, op);
            case ActivationBf op -> ActivationEmitter.backward(s, op);
            case Softmax op -> SoftmaxLossEmitter.softmax(s, op);
            case CrossEntropy op -> SoftmaxLossEmitter.loss(s, op);
            case SoftmaxCeBf op -> SoftmaxLossEmitter.fusedBackward(s, op);
            case SoftmaxBf op -> SoftmaxLossEmitter.backward(s, op);
            case Add op -> AddConcatEmitter.add(s, op);
            case AddBf op -> AddConcatEmitter.addBackward(s, op);
            case Concat op -> AddConcatEmitter.concat(s, op);
            case ConcatBf op -> AddConcatEmitter.concatBackward(s, op);
            case Accumulate op -> AccumulateEmitter.emit(s, op);
            case Deconv op -> DeconvEmitter.forward(s, op);
            case DeconvBf op -> DeconvEmitter.backwardData(s, op);
            case DeconvGrad op -> DeconvEmitter.gradient(s, op);
            case BiasGrad op -> DeconvEmitter.bias(s, op);
            case Dropout op -> DropoutEmitter.forward(s, op);
            case DropoutBf op -> DropoutEmitter.backward(s, op);
        }
        if (s.kernel.isEmpty() && (s.step.op() instanceof Conv || s.step.op() instanceof ConvBf || s.step.op() instanceof ConvGrad
                || s.step.op() instanceof Deconv || s.step.op() instanceof DeconvBf || s.step.op() instanceof DeconvGrad)) {
            s.kernel = scalarLoops(s) + ", " + s.chunks + " chunks";
        }
        if (s.chunks < 1) {
            throw new IllegalStateException("emitter for " + s.step.op().mnemonic() + " set no main method");
        }
    }
}
