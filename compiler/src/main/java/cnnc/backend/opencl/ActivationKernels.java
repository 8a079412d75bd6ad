package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import cnnc.ops.Expr;
import java.util.List;
import java.util.function.Function;

/** Element-wise kernels of the functions of {@link Activation}, forward and backward: their {@link Expr} in OpenCL C. */
final class ActivationKernels {

    private ActivationKernels() {}

    /** {@code e} in float OpenCL C, with {@code ref} naming each variable's value. */
    static String render(Expr e, Function<Expr.Var, String> ref) {
        return e.infix(ref, v -> Float.toString((float) (double) v) + "f", f -> switch (f) {
            case EXP -> "exp";
            case EXPM1 -> "expm1";
            case TANH -> "tanh";
        }, "0.0f");
    }

    static List<Kernel> forward(Names names, Step step, Activation op) {
        Buffer x = step.input(0);
        Buffer y = step.output();
        KernelBuilder k = new KernelBuilder(names.kernel(op.fn().word, step.node()), op.fn().word + " '" + step.node() + "'",
                step, op.formula(), "element", y.shape().size());
        k.in("X", x).out("Y", y);
        k.line("const int g = get_global_id(0);");
        k.line("const float v = X[g];");
        k.line("Y[g] = " + render(op.forwardExpr(), v -> "v") + ";");
        return List.of(k.build());
    }

    static List<Kernel> backward(Names names, Step step, ActivationBf op) {
        Buffer dy = step.input(0);
        Buffer read = step.input(1);
        Buffer dx = step.output();
        String word = op.fn().word;
        KernelBuilder k = new KernelBuilder(names.kernel(op.mnemonic(), step.node()), op.mnemonic() + " for " + word + " '"
                + step.node() + "'", step, op.formula(), "element", dx.shape().size());
        k.in("dY", dy).in(op.activation().readsOutput() ? "Y" : "X", read).out("dX", dx);
        k.line("const int g = get_global_id(0);");
        k.line("dX[g] = " + render(op.activation().backwardExpr(), v -> switch (v) {
            case X -> "X[g]";
            case Y -> "Y[g]";
            case DY -> "dY[g]";
        }) + ";");
        return List.of(k.build());
    }
}
