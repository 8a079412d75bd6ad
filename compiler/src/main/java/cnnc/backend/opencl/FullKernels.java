package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Step;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernels of the fully connected layer, over the input flattened per sample to {@code L = C·H·W}:
 * forward (optionally fused with the relu after it), Full_BF (the transposed matrix) and Full_grad
 * (one work-item per weight, summing over t in order).
 */
final class FullKernels {

    private FullKernels() {}

    static List<Kernel> forward(Names names, Step step, Full op, Step relu) {
        Buffer x = step.input(0);
        Buffer y = step.output();
        int t = x.shape().n();
        int l = (int) x.shape().perSample();
        KernelBuilder k = new KernelBuilder(names.kernel(relu == null ? "full" : "full_relu", step.node()),
                "full '" + step.node() + "'" + (relu == null ? "" : " fused with relu '" + relu.node() + "'"), step,
                op.formula() + (relu == null ? "" : "; R = max(0, Y)"), "output element (t,k)", (long) t * op.k());
        k.in("X", x).in("W", step.input(1));
        if (op.bias()) {
            k.in("B", step.input(2));
        }
        k.out("Y", y);
        if (relu != null) {
            k.out("R", relu.output());
        }
        k.index("t", t, "k", op.k());
        k.line("const __global float* x = X + t * " + l + ";");
        k.line("const __global float* w = W + k * " + l + ";");
        // The Java backend's dot(): eight interleaved partial sums, the rest into s0, combined in a fixed
        // tree, then the bias; the same order, so both devices round Y alike.
        k.line("float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f, s4 = 0.0f, s5 = 0.0f, s6 = 0.0f, s7 = 0.0f;");
        k.line("int l = 0;");
        k.open("for (; l + 8 <= " + l + "; l += 8)");
        for (int i = 0; i < 8; i++) {
            k.line("s" + i + " += w[l + " + i + "] * x[l + " + i + "];");
        }
        k.close();
        k.line("for (; l < " + l + "; l++) s0 += w[l] * x[l];");
        k.line("const float dot = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));");
        k.line("const float acc = " + (op.bias() ? "B[k] + dot" : "dot") + ";");
        k.line("Y[g] = acc;");
        if (relu != null) {
            k.line("R[g] = acc > 0.0f ? acc : 0.0f;");
        }
        return List.of(k.build());
    }

    static List<Kernel> sensitivity(Names names, Step step, FullBf bf) {
        Buffer dy = step.input(0);
        Buffer dx = step.output();
        int t = dx.shape().n();
        int l = (int) dx.shape().perSample();
        int kk = bf.full().k();
        KernelBuilder k = new KernelBuilder(names.kernel("full_bf", step.node()), "full_bf for full '" + step.node() + "'",
                step, bf.formula(), "input element (t,l)", (long) t * l);
        k.in("dY", dy).in("W", step.input(1)).out("dX", dx);
        k.index("t", t, "l", l);
        k.line("const __global float* dy = dY + t * " + kk + ";");
        k.line("float acc = 0.0f;");
        k.line("for (int k = 0; k < " + kk + "; k++) acc += W[k * " + l + " + l] * dy[k];");
        k.line("dX[g] = acc;");
        return List.of(k.build());
    }

    static List<Kernel> gradient(Names names, Step step, FullGrad grad) {
        Buffer dy = step.input(0);
        Buffer x = step.input(1);
        Buffer dw = step.outputs().get(0);
        int t = x.shape().n();
        int l = (int) x.shape().perSample();
        int kk = grad.full().k();
        KernelBuilder k = new KernelBuilder(names.kernel("full_grad", step.node()), "full_grad for full '" + step.node() + "'",
                step, "ΔW[k][l] = Σ_t ΔY[t][k] · x[t][l]", "weight element (k,l)", (long) kk * l);
        k.note("Deterministic: each weight sums over t alone, in order; no atomics.");
        k.in("dY", dy).in("X", x).out("dW", dw);
        k.index("k", kk, "l", l);
        k.line("float acc = 0.0f;");
        k.line("for (int t = 0; t < " + t + "; t++) acc += dY[t * " + kk + " + k] * X[t * " + l + " + l];");
        k.line("dW[g] = acc;");
        List<Kernel> out = new ArrayList<>();
        out.add(k.build());
        if (grad.full().bias()) {
            out.add(ConvKernels.biasGradient(names, "full_grad_bias", step, step.outputs().get(1), dy));
        }
        return out;
    }
}
