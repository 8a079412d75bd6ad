package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.Add;
import cnnc.ops.AddBf;
import cnnc.ops.Concat;
import cnnc.ops.ConcatBf;
import java.util.List;

/** Kernels where tensors meet or part: add, concat, their backward splits, and the sum of a fanned-out sensitivity. */
final class JoinKernels {

    private JoinKernels() {}

    static List<Kernel> add(Names names, Step step, Add op) {
        Buffer y = step.output();
        KernelBuilder k = new KernelBuilder(names.kernel("add", step.node()), "add '" + step.node() + "'", step,
                op.formula(), "element", y.shape().size());
        k.in("A", step.input(0)).in("B", step.input(1)).out("Y", y);
        k.line("const int g = get_global_id(0);");
        k.line("Y[g] = A[g] + B[g];");
        return List.of(k.build());
    }

    static List<Kernel> addBf(Names names, Step step, AddBf op) {
        Buffer dy = step.input(0);
        KernelBuilder k = new KernelBuilder(names.kernel("add_bf", step.node()), "add_bf for add '" + step.node() + "'",
                step, op.formula(), "element", dy.shape().size());
        k.in("dY", dy);
        for (int i = 0; i < step.outputs().size(); i++) {
            k.out("dX" + i, step.outputs().get(i));
        }
        k.line("const int g = get_global_id(0);");
        for (int i = 0; i < step.outputs().size(); i++) {
            k.line("dX" + i + "[g] = dY[g];");
        }
        return List.of(k.build());
    }

    static List<Kernel> concat(Names names, Step step, Concat op) {
        Buffer y = step.output();
        Shape s = y.shape();
        int hw = s.h() * s.w();
        KernelBuilder k = new KernelBuilder(names.kernel("concat", step.node()), "concat '" + step.node() + "'", step,
                op.formula(), "output element (t,c,i,j)", s.size());
        for (int i = 0; i < step.inputs().size(); i++) {
            k.in("X" + i, step.input(i));
        }
        k.out("Y", y);
        k.index("t", s.n(), "c", s.c(), "o", hw);
        int offset = 0;
        for (int i = 0; i < step.inputs().size(); i++) {
            int c = step.input(i).shape().c();
            String read = "Y[g] = X" + i + "[(t * " + c + " + " + KernelBuilder.plus("c", -offset) + ") * " + hw + " + o];";
            String test = i == 0 ? "if (c < " + (offset + c) + ") " : i + 1 < step.inputs().size() ? "else if (c < " + (offset + c) + ") " : "else ";
            k.line(test + read);
            offset += c;
        }
        return List.of(k.build());
    }

    static List<Kernel> concatBf(Names names, Step step, ConcatBf op) {
        Buffer dy = step.input(0);
        Shape s = dy.shape();
        int hw = s.h() * s.w();
        KernelBuilder k = new KernelBuilder(names.kernel("concat_bf", step.node()), "concat_bf for concat '" + step.node() + "'",
                step, op.formula(), "element of ΔY (t,c,i,j)", s.size());
        k.in("dY", dy);
        for (int i = 0; i < step.outputs().size(); i++) {
            k.out("dX" + i, step.outputs().get(i));
        }
        k.index("t", s.n(), "c", s.c(), "o", hw);
        for (int i = 0; i < step.outputs().size(); i++) {
            int from = op.offsets().get(i);
            int c = step.outputs().get(i).shape().c();
            k.line("if (c >= " + from + " && c < " + (from + c) + ") dX" + i + "[(t * " + c + " + " + KernelBuilder.plus("c", -from)
                    + ") * " + hw + " + o] = dY[g];");
        }
        return List.of(k.build());
    }

    static List<Kernel> accumulate(Names names, Step step, Accumulate op) {
        Buffer dx = step.output();
        KernelBuilder k = new KernelBuilder(names.kernel("accumulate", step.node()), "accumulate " + dx.name(), step,
                op.formula(), "element", dx.shape().size());
        StringBuilder sum = new StringBuilder();
        for (int i = 0; i < step.inputs().size(); i++) {
            k.in("P" + i, step.input(i));
            sum.append(i == 0 ? "" : " + ").append("P").append(i).append("[g]");
        }
        k.out("dX", dx);
        k.line("const int g = get_global_id(0);");
        k.line("dX[g] = " + sum + ";");
        return List.of(k.build());
    }
}
