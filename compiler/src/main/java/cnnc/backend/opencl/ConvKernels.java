package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.Taps;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernels of the convolution family: forward (optionally fused with the relu after it), Conv_BF
 * (a gather over the taps that read each input cell, skipping the zero taps of a strided
 * convolution) and Conv_grad (one work-item per weight, summing over t, i, j in order).
 * Kernel windows are unrolled; a bounds check is emitted only for the taps that can fall outside.
 */
final class ConvKernels {

    private ConvKernels() {}

    /** Forward; with {@code relu} (the relu step reading this conv's output) it writes both outputs in one pass. */
    static List<Kernel> forward(Names names, Step step, Conv op, Step relu) {
        return forward(names, step, op, relu, relu == null ? "conv" : "conv_relu",
                "conv '" + step.node() + "'" + (relu == null ? "" : " fused with relu '" + relu.node() + "'"),
                op.formula() + (relu == null ? "" : "; R = max(0, Y)"));
    }

    /** Forward of {@code op} under kernel name {@code prefix}, described as {@code what} and {@code formula} (deconv_bf: a conv of ΔY). */
    static List<Kernel> forward(Names names, Step step, Conv op, Step relu, String prefix, String what, String formula) {
        Buffer x = step.input(0);
        Buffer y = step.output();
        Shape xs = x.shape();
        Shape ys = y.shape();
        String name = names.kernel(prefix, step.node());
        KernelBuilder k = new KernelBuilder(name, what, step, formula, "output element (t,k,i,j)", ys.size());
        k.in("X", x).in("W", step.input(1));
        if (op.bias()) {
            k.in("B", step.input(2));
        }
        k.out("Y", y);
        if (relu != null) {
            k.out("R", relu.output());
        }
        int h = xs.h();
        int w = xs.w();
        k.index("t", ys.n(), "k", ys.c(), "i", ys.h(), "j", ys.w());
        k.line("const int r = i * " + op.sh() + " - " + op.pt() + ";   // top row of the window in X");
        k.line("const int s = j * " + op.sw() + " - " + op.pl() + ";   // left column");
        k.line("float acc = " + (op.bias() ? "B[k]" : "0.0f") + ";");
        k.open("for (int c = 0; c < " + xs.c() + "; c++)");
        k.line("const __global float* x = X + (t * " + xs.c() + " + c) * " + (h * w) + ";");
        k.line("const __global float* w = W + (k * " + xs.c() + " + c) * " + (op.m() * op.n()) + ";");
        for (int p = 0; p < op.m(); p++) {
            String rowVar = KernelBuilder.plus("r", p);
            String row = rangeCheck(rowVar, Taps.outputs(ys.h(), h, op.sh(), op.pt(), p), h);
            if (row != null) {
                k.open("if (" + row + ")");
            }
            for (int q = 0; q < op.n(); q++) {
                String colVar = KernelBuilder.plus("s", q);
                String col = rangeCheck(colVar, Taps.outputs(ys.w(), w, op.sw(), op.pl(), q), w);
                String tap = "acc += w[" + (p * op.n() + q) + "] * x[" + (p == 0 ? "r" : "(" + rowVar + ")") + " * " + w + " + " + colVar + "];";
                k.line(col == null ? tap : "if (" + col + ") " + tap);
            }
            if (row != null) {
                k.close();
            }
        }
        k.close();
        k.line("Y[g] = acc;");
        if (relu != null) {
            k.line("R[g] = acc > 0.0f ? acc : 0.0f;");
        }
        return List.of(k.build());
    }

    /** {@code 0 <= e < size} as C, or null when every work-item's tap lies inside anyway ({@link Taps#outputs}). */
    static String rangeCheck(String e, Taps.Range range, long size) {
        List<String> parts = new ArrayList<>();
        if (range.below()) {
            parts.add(e + " >= 0");
        }
        if (range.above()) {
            parts.add(e + " < " + size);
        }
        return parts.isEmpty() ? null : String.join(" && ", parts);
    }

    /**
     * Conv_BF as a gather: {@code ΔX[t][c][i][j] = Σ_k Σ_p Σ_q W[k][c][p][q] · ΔY[t][k][(i+Pt-p)/sh][(j+Pl-q)/sw]}
     * over the taps where the division is exact and in range (the rotated kernel V read as W).
     */
    static List<Kernel> sensitivity(Names names, Step step, ConvBf bf) {
        return sensitivity(names, step, bf, null, "conv_bf", "conv_bf for conv '" + step.node() + "'");
    }

    /**
     * Conv_BF whose every cell {@code ΔX[t][c][i][j]} starts from {@code bias[c]} (null for 0), under kernel
     * name {@code prefix}: deconv's forward, reading its input as ΔY and writing its output as ΔX.
     */
    static List<Kernel> sensitivity(Names names, Step step, ConvBf bf, Buffer bias, String prefix, String what) {
        Conv op = bf.conv();
        Buffer dy = step.input(0);
        Buffer dx = step.output();
        Shape ys = dy.shape();
        Shape xs = dx.shape();
        KernelBuilder k = new KernelBuilder(names.kernel(prefix, step.node()), what,
                step, step.op().formula(), "input cell (t,c,i,j)", xs.size());
        k.note("V[c][k][p][q] = W[k][c][M-1-p][N-1-q] is read from W in place: tap (p,q) of W meets ΔY row (i+Pt-p)/sh.");
        if (op.sh() * op.sw() > 1) {
            k.note("Stride > 1: taps whose row or column is not a multiple of the stride meet a dilation zero and are skipped.");
        }
        k.in("dY", dy).in("W", step.input(1));
        if (bias != null) {
            k.in("B", bias);
        }
        k.out("dX", dx);
        int hy = ys.h();
        int wy = ys.w();
        int c = xs.c();
        k.index("t", xs.n(), "c", c, "i", xs.h(), "j", xs.w());
        k.line("float acc = " + (bias == null ? "0.0f" : "B[c]") + ";");
        k.open("for (int k = 0; k < " + ys.c() + "; k++)");
        k.line("const __global float* dy = dY + (t * " + ys.c() + " + k) * " + (hy * wy) + ";");
        k.line("const __global float* w = W + (k * " + c + " + c) * " + (op.m() * op.n()) + ";");
        for (int p = 0; p < op.m(); p++) {
            String a = KernelBuilder.plus("i", op.pt() - p);
            String row = transposedCheck("a", Taps.transposed(xs.h(), hy, op.sh(), op.pt(), p), op.sh(), hy);
            k.open("");
            k.line("const int a = " + a + ";");
            if (row != null) {
                k.open("if (" + row + ")");
            }
            String rowIndex = op.sh() == 1 ? "a" : "(a / " + op.sh() + ")";
            for (int q = 0; q < op.n(); q++) {
                String b = op.pl() == q ? "j" : "(" + KernelBuilder.plus("j", op.pl() - q) + ")";
                String col = transposedCheck(b, Taps.transposed(xs.w(), wy, op.sw(), op.pl(), q), op.sw(), wy);
                String colIndex = op.sw() == 1 ? b : "(" + b + " / " + op.sw() + ")";
                String tap = "acc += w[" + (p * op.n() + q) + "] * dy[" + rowIndex + " * " + wy + " + " + colIndex + "];";
                k.line(col == null ? tap : "if (" + col + ") " + tap);
            }
            if (row != null) {
                k.close();
            }
            k.close();
        }
        k.close();
        k.line("dX[g] = acc;");
        return List.of(k.build());
    }

    /** The check that forward output row {@code e/stride} exists: {@code e >= 0}, divisible, {@code e/stride < out}. */
    private static String transposedCheck(String e, Taps.Transposed tests, int stride, int out) {
        List<String> parts = new ArrayList<>();
        if (tests.below()) {
            parts.add(e + " >= 0");
        }
        if (tests.strided()) {
            parts.add(e + " % " + stride + " == 0");
        }
        if (tests.above()) {
            parts.add(e + " < " + (long) out * stride); // for a multiple e of the stride: e / stride < out
        }
        return parts.isEmpty() ? null : String.join(" && ", parts);
    }

    /** Conv_grad: one work-item per weight element (and one per bias element), each summing in (t, i, j) order. */
    static List<Kernel> gradient(Names names, Step step, ConvGrad grad) {
        Conv op = grad.conv();
        return gradient(names, step, grad, "conv_grad", "conv_grad for conv '" + step.node() + "'",
                "ΔW[k][c][p][q] = Σ_t Σ_i Σ_j ΔY[t][k][i][j] · X[t][c][i·" + op.sh() + " - " + op.pt() + " + p][j·"
                        + op.sw() + " - " + op.pl() + " + q]");
    }

    /** Conv_grad under kernel name {@code prefix}, described as {@code what} and {@code formula} (deconv_grad: roles swapped). */
    static List<Kernel> gradient(Names names, Step step, ConvGrad grad, String prefix, String what, String formula) {
        Conv op = grad.conv();
        Buffer dy = step.input(0);
        Buffer x = step.input(1);
        Buffer dw = step.outputs().get(0);
        Shape ys = dy.shape();
        Shape xs = x.shape();
        KernelBuilder k = new KernelBuilder(names.kernel(prefix, step.node()), what,
                step, formula, "weight element (k,c,p,q)", dw.shape().size());
        k.note("Deterministic: each weight sums its products alone, in (t, i, j) order; no atomics.");
        k.in("dY", dy).in("X", x).out("dW", dw);
        k.index("k", ys.c(), "c", xs.c(), "p", op.m(), "q", op.n());
        k.line("acc_t acc = 0;   // double where the device has it, as the Java backend sums bias gradients");
        k.open("for (int t = 0; t < " + ys.n() + "; t++)");
        k.line("const __global float* dy = dY + (t * " + ys.c() + " + k) * " + (ys.h() * ys.w()) + ";");
        k.line("const __global float* x = X + (t * " + xs.c() + " + c) * " + (xs.h() * xs.w()) + ";");
        k.open("for (int i = 0; i < " + ys.h() + "; i++)");
        k.line("const int r = i * " + op.sh() + " - " + op.pt() + " + p;");
        k.open("if (r >= 0 && r < " + xs.h() + ")");
        k.open("for (int j = 0; j < " + ys.w() + "; j++)");
        k.line("const int s = j * " + op.sw() + " - " + op.pl() + " + q;");
        k.line("if (s >= 0 && s < " + xs.w() + ") acc += dy[i * " + ys.w() + " + j] * x[r * " + xs.w() + " + s];");
        k.close().close().close().close();
        k.line("dW[g] = acc;");
        List<Kernel> out = new ArrayList<>();
        out.add(k.build());
        if (op.bias()) {
            out.add(biasGradient(names, "conv_grad_bias", step, step.outputs().get(1), dy));
        }
        return out;
    }

    /** {@code Δb[k] = Σ_{t,i,j} ΔY[t][k][i][j]}, one work-item per k, in (t, i, j) order (shared with full). */
    static Kernel biasGradient(Names names, String prefix, Step step, Buffer db, Buffer dy) {
        Shape ys = dy.shape();
        int hw = ys.h() * ys.w();
        KernelBuilder k = new KernelBuilder(names.kernel(prefix, step.node()), "bias gradient of '" + step.node() + "'", step,
                "Δb[k] = Σ_t Σ_i Σ_j ΔY[t][k][i][j]", "bias element k", ys.c());
        k.in("dY", dy).out("dB", db);
        k.index("k", ys.c());
        k.line("acc_t acc = 0;   // double where the device has it, as the Java backend sums bias gradients");
        k.open("for (int t = 0; t < " + ys.n() + "; t++)");
        k.line("const __global float* dy = dY + (t * " + ys.c() + " + k) * " + hw + ";");
        k.line(hw == 1 ? "acc += dy[0];" : "for (int o = 0; o < " + hw + "; o++) acc += dy[o];");
        k.close();
        k.line("dB[g] = (float) acc;");
        return k.build();
    }
}
