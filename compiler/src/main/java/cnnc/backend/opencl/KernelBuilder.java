package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.DType;
import cnnc.ir.Step;
import cnnc.runtime.opencl.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one kernel: the comment (operation, .cnn line, formula, work split), the signature with one
 * {@code __global} pointer per buffer, and a body of indented lines. Emitters add arguments with
 * {@link #in}, {@link #out} and {@link #inout}, then lines with {@link #line}, {@link #open} and
 * {@link #close}.
 */
final class KernelBuilder {

    private final String name;
    private final long global;
    private final List<String> comment = new ArrayList<>();
    private final List<String> params = new ArrayList<>();
    private final List<Plan.Arg> args = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private int indent = 1;

    /**
     * @param what    the op and node, e.g. {@code conv 'c1'}
     * @param formula the op's formula (op.formula())
     * @param split   what one work-item computes, e.g. {@code output element (t,k,i,j)}
     */
    KernelBuilder(String name, String what, Step step, String formula, String split, long global) {
        this.name = name;
        this.global = global;
        comment.add(what + " — " + step.pos().fileLine());
        comment.add(formula);
        comment.add("One work-item per " + split + ": global size " + global + ".");
    }

    /** A further comment line under the formula (why the code is written the way it is). */
    KernelBuilder note(String text) {
        comment.add(comment.size() - 1, text);
        return this;
    }

    KernelBuilder in(String param, Buffer b) {
        return arg(param, b, Plan.Access.R);
    }

    KernelBuilder out(String param, Buffer b) {
        return arg(param, b, Plan.Access.W);
    }

    KernelBuilder inout(String param, Buffer b) {
        return arg(param, b, Plan.Access.RW);
    }

    /** The network's training step, {@code const ulong step}, set by the host before each forward pass ({@link Plan.Arg#STEP}). */
    KernelBuilder step() {
        params.add("const ulong step");
        comment.add(comment.size() - 1, String.format("%-8s %s", "step", "the training step (Network.setStep)"));
        args.add(Plan.Arg.STEP);
        return this;
    }

    private KernelBuilder arg(String param, Buffer b, Plan.Access access) {
        String type = b.dtype() == DType.I32 ? "int" : "float";
        params.add("__global " + (access == Plan.Access.R ? "const " : "") + type + "* restrict " + param);
        comment.add(comment.size() - 1, String.format("%-8s %s %s", param, b.name(), b.shape()));
        args.add(new Plan.Arg(b.name(), access));
        return this;
    }

    KernelBuilder line(String text) {
        body.append("    ".repeat(indent)).append(text).append('\n');
        return this;
    }

    /** A line ending in {@code {}, indenting what follows. */
    KernelBuilder open(String text) {
        line(text.isEmpty() ? "{" : text + " {");
        indent++;
        return this;
    }

    KernelBuilder close() {
        indent--;
        return line("}");
    }

    /**
     * Declares the coordinates of work-item {@code g} in a row-major index space, outermost first:
     * {@code index("t", T, "k", K, "i", H, "j", W)} gives {@code j = g % W}, {@code i = g / W % H}, ...
     */
    KernelBuilder index(Object... namesAndDims) {
        line("const int g = get_global_id(0);");
        int n = namesAndDims.length / 2;
        long stride = 1;
        List<String> decls = new ArrayList<>();
        for (int d = n - 1; d >= 0; d--) {
            String v = (String) namesAndDims[2 * d];
            int dim = (Integer) namesAndDims[2 * d + 1];
            String div = stride == 1 ? "g" : "g / " + stride;
            decls.add(0, "const int " + v + " = " + (d == 0 ? div : dim == 1 ? "0" : div + " % " + dim) + ";");
            stride *= dim;
        }
        decls.forEach(this::line);
        return this;
    }

    Kernel build() {
        StringBuilder sb = new StringBuilder("/*\n");
        comment.forEach(c -> sb.append(" * ").append(c).append('\n'));
        sb.append(" */\n__kernel void ").append(name).append("(\n");
        for (int i = 0; i < params.size(); i++) {
            sb.append("        ").append(params.get(i)).append(i + 1 < params.size() ? ",\n" : ")\n");
        }
        sb.append("{\n").append(body).append("}\n");
        return new Kernel(name, sb.toString(), global, args);
    }

    /** {@code v + c}, {@code v - c} or {@code v}, for index arithmetic that reads well. */
    static String plus(String v, long c) {
        return c == 0 ? v : c > 0 ? v + " + " + c : v + " - " + (-c);
    }

    /** A float literal: {@code 0.5f}, {@code 1.0E-5f}. */
    static String f(double v) {
        return Float.toString((float) v) + "f";
    }
}
