package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Step;
import cnnc.ops.Dropout;
import cnnc.ops.DropoutBf;
import cnnc.runtime.DropoutMask;
import java.util.List;

/**
 * {@code dropout}: in training a kernel that draws the mask with {@link DropoutMask#OPENCL_C} (the
 * same bits as the Java backend's {@link DropoutMask#keep}, one work-item per element of the batch),
 * in inference a copy; its backward {@code ΔX = ΔY·M/(1-p)}.
 */
final class DropoutKernels {

    private DropoutKernels() {}

    /** The training kernel; the program must also hold {@link DropoutMask#OPENCL_C}. */
    static List<Kernel> train(Names names, Step step, Dropout op, long seed) {
        Buffer x = step.input(0);
        Buffer y = step.output();
        KernelBuilder k = new KernelBuilder(names.kernel("dropout", step.node()), "dropout '" + step.node() + "'", step,
                op.formula(), "element of the batch (its index is the mask's element index)", y.shape().size());
        k.note("M = keep(hash of seed " + seed + ", node '" + step.node() + "', step, element) against round(p·2^24) (DropoutMask).");
        k.in("X", x).out("Y", y).out("M", step.outputs().get(1)).step();
        k.line("const int g = get_global_id(0);");
        k.line(String.format("const ulong key = cnnc_dropout_key(0x%016XUL, step);", DropoutMask.base(seed, step.node())));
        k.line("const float m = cnnc_dropout_keep(key, (ulong) g, " + DropoutMask.threshold(op.p()) + "U) ? 1.0f : 0.0f;");
        k.line("M[g] = m;");
        k.line("Y[g] = X[g] * m * " + KernelBuilder.f(op.scale()) + ";");
        return List.of(k.build());
    }

    /** Inference: {@code Y = X}. */
    static List<Kernel> infer(Names names, Step step, Dropout op) {
        Buffer y = step.output();
        KernelBuilder k = new KernelBuilder(names.kernel("dropout_infer", step.node()), "dropout '" + step.node() + "' (inference)",
                step, "Y = X", "element", y.shape().size());
        k.in("X", step.input(0)).out("Y", y);
        k.line("const int g = get_global_id(0);");
        k.line("Y[g] = X[g];");
        return List.of(k.build());
    }

    static List<Kernel> backward(Names names, Step step, DropoutBf op) {
        Buffer dx = step.output();
        KernelBuilder k = new KernelBuilder(names.kernel(op.mnemonic(), step.node()), "dropout_bf '" + step.node() + "'", step,
                op.formula(), "element", dx.shape().size());
        k.in("dY", step.input(0)).in("M", step.input(1)).out("dX", dx);
        k.line("const int g = get_global_id(0);");
        k.line("dX[g] = dY[g] * M[g] * " + KernelBuilder.f(op.dropout().scale()) + ";");
        return List.of(k.build());
    }
}
