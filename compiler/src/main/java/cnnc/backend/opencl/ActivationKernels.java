package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import java.util.List;

/** Element-wise kernels of relu, sigmoid and tanh, forward and backward. */
final class ActivationKernels {

    private ActivationKernels() {}

    static List<Kernel> forward(Names names, Step step, Activation op) {
        Buffer x = step.input(0);
        Buffer y = step.output();
        KernelBuilder k = new KernelBuilder(names.kernel(op.fn().word, step.node()), op.fn().word + " '" + step.node() + "'",
                step, op.formula(), "element", y.shape().size());
        k.in("X", x).out("Y", y);
        k.line("const int g = get_global_id(0);");
        k.line("const float v = X[g];");
        k.line("Y[g] = " + switch (op.fn()) {
            case RELU -> "v > 0.0f ? v : 0.0f";
            case SIGMOID -> "1.0f / (1.0f + exp(-v))";
            case TANH -> "tanh(v)";
        } + ";");
        return List.of(k.build());
    }

    static List<Kernel> backward(Names names, Step step, ActivationBf op) {
        Buffer dy = step.input(0);
        Buffer read = step.input(1);
        Buffer dx = step.output();
        String word = op.fn().word;
        KernelBuilder k = new KernelBuilder(names.kernel(op.mnemonic(), step.node()), op.mnemonic() + " for " + word + " '"
                + step.node() + "'", step, op.formula(), "element", dx.shape().size());
        k.in("dY", dy).in(op.fn().readsOutput() ? "Y" : "X", read).out("dX", dx);
        k.line("const int g = get_global_id(0);");
        k.line("dX[g] = " + switch (op.fn()) {
            case RELU -> "X[g] > 0.0f ? dY[g] : 0.0f";
            case SIGMOID -> "dY[g] * Y[g] * (1.0f - Y[g])";
            case TANH -> "dY[g] * (1.0f - Y[g] * Y[g])";
        } + ";");
        return List.of(k.build());
    }
}
