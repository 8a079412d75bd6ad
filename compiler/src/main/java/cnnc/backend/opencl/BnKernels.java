package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.BatchNorm;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import java.util.List;
import java.util.function.Consumer;

/**
 * Batch-norm kernels. Training, BN_BF and BN_grad give one work-item to each statistic (an element
 * {@code (c,i,j)} or a channel {@code c}), which walks that statistic's values in (t, i, j) order:
 * every sum has a fixed order and no work-item writes another's values. Inference is element-wise.
 */
final class BnKernels {

    private BnKernels() {}

    /** Training forward: batch statistics, normalization, the saved mean and 1/σ, the running statistics. */
    static List<Kernel> train(Names names, Step step, BatchNorm op) {
        Buffer x = step.input(0);
        Shape s = x.shape();
        long n = op.valuesPerStatistic(s);
        Shape stat = op.statShape(s);
        KernelBuilder k = new KernelBuilder(names.kernel("bn", step.node()), "bn '" + step.node() + "' (training)", step,
                op.formula(), "statistic (" + (op.perChannel() ? "channel c" : "element (c,i,j)") + ") over its " + n + " values",
                stat.size());
        k.note("μ = mean(X), σ² = mean((X-μ)²); run = (1-" + op.momentum() + ")·run + " + op.momentum()
                + "·batch, with the unbiased variance σ²·" + n + "/" + (n - 1) + ".");
        k.in("X", x).in("Gamma", step.input(1)).in("Beta", step.input(2)).inout("RunMean", step.input(3))
                .inout("RunVar", step.input(4)).out("Y", step.output()).out("Mean", step.outputs().get(1))
                .out("Invstd", step.outputs().get(2));
        k.line("const int g = get_global_id(0);");
        String nf = KernelBuilder.f(n);
        k.line("float sum = 0.0f;");
        values(k, op, s, body -> body.line("sum += X[n];"));
        k.line("const float mean = sum / " + nf + ";");
        k.line("float sq = 0.0f;");
        values(k, op, s, body -> body.line("const float d = X[n] - mean;").line("sq += d * d;"));
        k.line("const float var = sq / " + nf + ";");
        k.line("const float inv = 1.0f / sqrt(var + " + KernelBuilder.f(op.eps()) + ");");
        values(k, op, s, body -> body.line("Y[n] = Gamma[g] * ((X[n] - mean) * inv) + Beta[g];"));
        k.line("Mean[g] = mean;");
        k.line("Invstd[g] = inv;");
        String keep = KernelBuilder.f(1 - op.momentum());
        String mom = KernelBuilder.f(op.momentum());
        k.line("RunMean[g] = " + keep + " * RunMean[g] + " + mom + " * mean;");
        k.line("RunVar[g] = " + keep + " * RunVar[g] + " + mom + " * (var * " + nf + " / " + KernelBuilder.f(n - 1) + ");");
        return List.of(k.build());
    }

    /** Inference forward: the running statistics, element-wise; no state changes. */
    static List<Kernel> infer(Names names, Step step, BatchNorm op) {
        Buffer x = step.input(0);
        Shape s = x.shape();
        KernelBuilder k = new KernelBuilder(names.kernel("bn_infer", step.node()), "bn '" + step.node() + "' (inference)", step,
                "Y = γ·(X - run_mean)/sqrt(run_var + " + op.eps() + ") + β, per " + (op.perChannel() ? "channel" : "element"),
                "element", s.size());
        k.in("X", x).in("Gamma", step.input(1)).in("Beta", step.input(2)).in("RunMean", step.input(3))
                .in("RunVar", step.input(4)).out("Y", step.output());
        int hw = s.h() * s.w();
        k.line("const int g = get_global_id(0);");
        k.line("const int m = " + (op.perChannel() ? "g / " + hw + " % " + s.c() : "g % " + s.perSample()) + ";   // its statistic");
        k.line("const float inv = 1.0f / sqrt(RunVar[m] + " + KernelBuilder.f(op.eps()) + ");");
        k.line("Y[g] = Gamma[m] * ((X[g] - RunMean[m]) * inv) + Beta[m];");
        return List.of(k.build());
    }

    /** BN_BF: {@code ΔX = γ·invstd·(ΔY - mean(ΔY) - x̂·mean(ΔY·x̂))}. */
    static List<Kernel> sensitivity(Names names, Step step, BnBf bf) {
        BatchNorm op = bf.bn();
        Shape s = step.output().shape();
        long n = op.valuesPerStatistic(s);
        KernelBuilder k = new KernelBuilder(names.kernel("bn_bf", step.node()), "bn_bf for bn '" + step.node() + "'", step,
                bf.formula(), "statistic, over its " + n + " values", op.statShape(s).size());
        k.in("dY", step.input(0)).in("X", step.input(1)).in("Gamma", step.input(2)).in("Mean", step.input(3))
                .in("Invstd", step.input(4)).out("dX", step.output());
        k.line("const int g = get_global_id(0);");
        k.line("const float mean = Mean[g];");
        k.line("const float inv = Invstd[g];");
        k.line("float sdy = 0.0f;");
        k.line("float sdyx = 0.0f;");
        values(k, op, s, body -> body.line("sdy += dY[n];").line("sdyx += dY[n] * ((X[n] - mean) * inv);"));
        String nf = KernelBuilder.f(n);
        k.line("const float mdy = sdy / " + nf + ";");
        k.line("const float mdyx = sdyx / " + nf + ";");
        k.line("const float scale = Gamma[g] * inv;");
        values(k, op, s, body -> body.line("dX[n] = scale * (dY[n] - mdy - ((X[n] - mean) * inv) * mdyx);"));
        return List.of(k.build());
    }

    /** BN_grad: {@code Δγ = Σ ΔY·x̂, Δβ = Σ ΔY}. */
    static List<Kernel> gradient(Names names, Step step, BnGrad grad) {
        BatchNorm op = grad.bn();
        Shape s = step.input(0).shape();
        long n = op.valuesPerStatistic(s);
        KernelBuilder k = new KernelBuilder(names.kernel("bn_grad", step.node()), "bn_grad for bn '" + step.node() + "'", step,
                grad.formula(), "statistic, over its " + n + " values", op.statShape(s).size());
        k.in("dY", step.input(0)).in("X", step.input(1)).in("Mean", step.input(2)).in("Invstd", step.input(3))
                .out("dGamma", step.outputs().get(0)).out("dBeta", step.outputs().get(1));
        k.line("const int g = get_global_id(0);");
        k.line("const float mean = Mean[g];");
        k.line("const float inv = Invstd[g];");
        k.line("float sdy = 0.0f;");
        k.line("float sdyx = 0.0f;");
        values(k, op, s, body -> body.line("sdy += dY[n];").line("sdyx += dY[n] * ((X[n] - mean) * inv);"));
        k.line("dGamma[g] = sdyx;");
        k.line("dBeta[g] = sdy;");
        return List.of(k.build());
    }

    /** Loops over the values of statistic {@code g} in (t, i, j) order, with {@code n} their index in X. */
    private static void values(KernelBuilder k, BatchNorm op, Shape s, Consumer<KernelBuilder> body) {
        long chw = s.perSample();
        int hw = s.h() * s.w();
        k.open("for (int t = 0; t < " + s.n() + "; t++)");
        if (op.perChannel()) {
            k.open("for (int o = 0; o < " + hw + "; o++)");
            k.line("const int n = t * " + chw + " + g * " + hw + " + o;");
        } else {
            k.line("const int n = t * " + chw + " + g;");
        }
        body.accept(k);
        if (op.perChannel()) {
            k.close();
        }
        k.close();
    }
}
