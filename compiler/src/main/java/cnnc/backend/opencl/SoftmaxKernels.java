package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Softmax;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;
import java.util.List;

/** Softmax over channels, the cross-entropy loss, and their backward kernels. */
final class SoftmaxKernels {

    private SoftmaxKernels() {}

    static List<Kernel> softmax(Names names, Step step, Softmax op) {
        Buffer x = step.input(0);
        Buffer y = step.output();
        Shape s = x.shape();
        int hw = s.h() * s.w();
        KernelBuilder k = new KernelBuilder(names.kernel("softmax", step.node()), "softmax '" + step.node() + "'", step,
                op.formula(), "position (t,i,j), over its " + s.c() + " channels", (long) s.n() * hw);
        k.in("X", x).out("Y", y);
        k.index("t", s.n(), "o", hw);
        k.line("const int base = t * " + (s.c() * hw) + " + o;");
        k.line("float m = X[base];");
        k.line("for (int c = 1; c < " + s.c() + "; c++) m = fmax(m, X[base + c * " + hw + "]);");
        k.line("float sum = 0.0f;");
        k.open("for (int c = 0; c < " + s.c() + "; c++)");
        k.line("const float e = exp(X[base + c * " + hw + "] - m);");
        k.line("Y[base + c * " + hw + "] = e;");
        k.line("sum += e;");
        k.close();
        k.line("for (int c = 0; c < " + s.c() + "; c++) Y[base + c * " + hw + "] = Y[base + c * " + hw + "] / sum;");
        return List.of(k.build());
    }

    /** The loss: one work-item sums the whole batch in order, so the result does not depend on the device. */
    static List<Kernel> crossEntropy(Names names, Step step, CrossEntropy op) {
        Buffer y = step.input(0);
        Buffer z = step.input(1);
        int t = y.shape().n();
        KernelBuilder k = new KernelBuilder(names.kernel("cross_entropy", step.node()), "loss cross_entropy", step,
                op.formula(), "loss (a single work-item, summing in index order)", 1);
        k.note("Terms with z = 0 are skipped, so a zero label meeting y = 0 adds 0 rather than 0·log 0 = NaN.");
        k.note("log y = h - max_c h - log Σ_c exp(h - max_c h) from the logits H: finite where y underflows to 0.");
        int C = y.shape().c(), hw = y.shape().h() * y.shape().w();
        k.in("Z", z).in("H", step.input(2)).out("J", step.output());
        k.line("float acc = 0.0f;");
        k.line("for (int o = 0; o < " + t + " * " + y.shape().perSample() + "; o += " + y.shape().perSample() + ") {");
        k.line("    for (int r = o; r < o + " + hw + "; r++) {");
        k.line("        float m = H[r];");
        k.line("        for (int c = 1; c < " + C + "; c++) m = fmax(m, H[r + c * " + hw + "]);");
        k.line("        float s = 0.0f;");
        k.line("        for (int c = 0; c < " + C + "; c++) s += exp(H[r + c * " + hw + "] - m);");
        k.line("        float l = log(s);");
        k.line("        for (int c = 0; c < " + C + "; c++) if (Z[r + c * " + hw + "] != 0.0f) acc += Z[r + c * " + hw + "] * (H[r + c * " + hw + "] - m - l);");
        k.line("    }");
        k.line("}");
        k.line("J[0] = -acc / " + KernelBuilder.f(t) + ";");
        return List.of(k.build());
    }

    static List<Kernel> softmaxCe(Names names, Step step, SoftmaxCeBf op) {
        Buffer dx = step.output();
        KernelBuilder k = new KernelBuilder(names.kernel("softmax_ce_bf", step.node()), "softmax_ce_bf, the start of the "
                + "backward graph", step, op.formula(), "element", dx.shape().size());
        k.in("Y", step.input(0)).in("Z", step.input(1)).out("dX", dx);
        k.line("const int g = get_global_id(0);");
        k.line("dX[g] = (Y[g] - Z[g]) / " + KernelBuilder.f(op.batch()) + ";");
        return List.of(k.build());
    }

    static List<Kernel> softmaxBf(Names names, Step step, SoftmaxBf op) {
        Buffer dy = step.input(0);
        Buffer y = step.input(1);
        Buffer dx = step.output();
        Shape s = dx.shape();
        int hw = s.h() * s.w();
        KernelBuilder k = new KernelBuilder(names.kernel("softmax_bf", step.node()), "softmax_bf for softmax '" + step.node()
                + "'", step, op.formula(), "position (t,i,j), over its " + s.c() + " channels", (long) s.n() * hw);
        k.in("dY", dy).in("Y", y).out("dX", dx);
        k.index("t", s.n(), "o", hw);
        k.line("const int base = t * " + (s.c() * hw) + " + o;");
        k.line("float dot = 0.0f;");
        k.line("for (int c = 0; c < " + s.c() + "; c++) dot += dY[base + c * " + hw + "] * Y[base + c * " + hw + "];");
        k.open("for (int c = 0; c < " + s.c() + "; c++)");
        k.line("const int n = base + c * " + hw + ";");
        k.line("dX[n] = Y[n] * (dY[n] - dot);");
        k.close();
        return List.of(k.build());
    }
}
