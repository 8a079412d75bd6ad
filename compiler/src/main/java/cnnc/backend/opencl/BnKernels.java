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
        // In acc_t (double where the device has it) exactly as the Java backend's BnEmitter computes them,
        // so both devices round the statistics alike.
        k.line("acc_t sum = 0;");
        values(k, op, s, body -> body.line("sum += X[n];"));
        k.line("const acc_t mu = sum / " + n + ";");
        k.line("acc_t sq = 0;");
        values(k, op, s, body -> body.line("const acc_t d = X[n] - mu;").line("sq += d * d;"));
        k.line("const acc_t var = sq / " + n + ";");
        k.line("const float mean = (float) mu;");
        k.line("const float inv = (float) ((acc_t) 1 / sqrt(var + " + d(op.eps()) + "));");
        values(k, op, s, body -> body.line("Y[n] = Gamma[g] * ((X[n] - mean) * inv) + Beta[g];"));
        k.line("Mean[g] = mean;");
        k.line("Invstd[g] = inv;");
        if (n > 1) {
            String keep = d(1 - op.momentum());
            String mom = d(op.momentum());
            k.line("RunMean[g] = (float) (" + keep + " * RunMean[g] + " + mom + " * mu);");
            k.line("RunVar[g] = (float) (" + keep + " * RunVar[g] + " + mom + " * var * " + n + " / " + (n - 1) + ");");
        }
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
        k.line("const float inv = (float) ((acc_t) 1 / sqrt(RunVar[m] + " + d(op.eps()) + "));");
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
        k.line("acc_t sdy = 0;");
        k.line("acc_t sdyx = 0;");
        values(k, op, s, body -> body.line("sdy += dY[n];").line("sdyx += dY[n] * ((X[n] - mean) * inv);"));
        k.line("const float mdy = (float) (sdy / " + n + ");");
        k.line("const float mdyx = (float) (sdyx / " + n + ");");
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
        k.line("acc_t sdy = 0;");
        k.line("acc_t sdyx = 0;");
        values(k, op, s, body -> body.line("sdy += dY[n];").line("sdyx += dY[n] * ((X[n] - mean) * inv);"));
        k.line("dGamma[g] = (float) sdyx;");
        k.line("dBeta[g] = (float) sdy;");
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

    /** A double literal ({@code 0.9}, {@code 1.0E-5}): the value the Java backend's {@code Code.d} writes. */
    private static String d(double v) {
        return Double.toString(v);
    }
}
