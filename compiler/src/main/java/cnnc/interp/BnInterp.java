package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.BatchNorm;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;

/**
 * bn, bn_bf and bn_grad (docs/language.md §3). Statistic {@code s} of element {@code (t,c,i,j)} is {@code (c,i,j)}
 * per element (values over {@code t}) or {@code c} per channel (values over {@code t,i,j}); {@code n}
 * values per statistic.
 */
final class BnInterp {

    private BnInterp() {}

    /**
     * Training: {@code μ = mean(X)}, {@code σ² = mean((X-μ)²)} (biased), {@code x̂ = (X-μ)/sqrt(σ²+ε)},
     * {@code Y = γ·x̂ + β}; saves {@code μ} and {@code 1/sqrt(σ²+ε)}, and updates the running statistics
     * in place: {@code run = (1-momentum)·run + momentum·batch} with the unbiased {@code σ²·n/(n-1)}.
     * Inference: the same with {@code μ, σ²} the running statistics, nothing saved or updated.
     * Inputs {@code X, γ, β, running_mean, running_var}; outputs {@code Y, batch_mean, batch_invstd}.
     */
    static void forward(BatchNorm op, Step step, Memory mem, boolean training) {
        Dims xd = Dims.of(step.input(0));
        double[] x = mem.read(step.input(0));
        double[] gamma = mem.read(step.input(1));
        double[] beta = mem.read(step.input(2));
        double[] runMean = mem.read(step.input(3));
        double[] runVar = mem.read(step.input(4));
        double[] y = mem.write(step.output());
        int stats = gamma.length;
        double[] mean = new double[stats];
        double[] var = new double[stats];
        if (training) {
            long n = op.valuesPerStatistic(step.input(0).shape());
            if (n < 2) {
                throw new IllegalStateException("bn '" + step.node() + "': training needs 2 values per statistic, has " + n);
            }
            forEach(op, xd, (e, s) -> mean[s] += x[e]);
            for (int s = 0; s < stats; s++) {
                mean[s] /= n;
            }
            forEach(op, xd, (e, s) -> var[s] += (x[e] - mean[s]) * (x[e] - mean[s]));
            for (int s = 0; s < stats; s++) {
                var[s] /= n;
                runMean[s] = (1 - op.momentum()) * runMean[s] + op.momentum() * mean[s];
                runVar[s] = (1 - op.momentum()) * runVar[s] + op.momentum() * var[s] * n / (n - 1);
            }
        } else {
            System.arraycopy(runMean, 0, mean, 0, stats);
            System.arraycopy(runVar, 0, var, 0, stats);
        }
        double[] invstd = new double[stats];
        for (int s = 0; s < stats; s++) {
            invstd[s] = 1 / Math.sqrt(var[s] + op.eps());
        }
        forEach(op, xd, (e, s) -> y[e] = gamma[s] * (x[e] - mean[s]) * invstd[s] + beta[s]);
        if (training) {
            System.arraycopy(mean, 0, mem.write(step.outputs().get(1)), 0, stats);
            System.arraycopy(invstd, 0, mem.write(step.outputs().get(2)), 0, stats);
        }
    }

    /**
     * BN_BF: {@code ΔX = γ·invstd · (ΔY - mean(ΔY) - x̂·mean(ΔY·x̂))}, {@code x̂ = (X - μ)·invstd}.
     * Inputs {@code ΔY, X, γ, μ, invstd}; output {@code ΔX}.
     */
    static void backwardData(BnBf bf, Step step, Memory mem) {
        BatchNorm op = bf.bn();
        Dims xd = Dims.of(step.input(1));
        double[] dy = mem.read(step.input(0));
        double[] x = mem.read(step.input(1));
        double[] gamma = mem.read(step.input(2));
        double[] mean = mem.read(step.input(3));
        double[] invstd = mem.read(step.input(4));
        double[] dx = mem.write(step.output());
        long n = op.valuesPerStatistic(step.input(1).shape());
        double[] meanDy = new double[gamma.length];
        double[] meanDyXhat = new double[gamma.length];
        forEach(op, xd, (e, s) -> {
            meanDy[s] += dy[e] / n;
            meanDyXhat[s] += dy[e] * (x[e] - mean[s]) * invstd[s] / n;
        });
        forEach(op, xd, (e, s) -> {
            double xhat = (x[e] - mean[s]) * invstd[s];
            dx[e] = gamma[s] * invstd[s] * (dy[e] - meanDy[s] - xhat * meanDyXhat[s]);
        });
    }

    /**
     * BN_grad: {@code Δγ = Σ ΔY·x̂}, {@code Δβ = Σ ΔY} over each statistic's values.
     * Inputs {@code ΔY, X, μ, invstd}; outputs {@code Δγ, Δβ}.
     */
    static void backwardParams(BnGrad grad, Step step, Memory mem) {
        Dims xd = Dims.of(step.input(1));
        double[] dy = mem.read(step.input(0));
        double[] x = mem.read(step.input(1));
        double[] mean = mem.read(step.input(2));
        double[] invstd = mem.read(step.input(3));
        double[] dgamma = mem.write(step.outputs().get(0));
        double[] dbeta = mem.write(step.outputs().get(1));
        forEach(grad.bn(), xd, (e, s) -> {
            dgamma[s] += dy[e] * (x[e] - mean[s]) * invstd[s];
            dbeta[s] += dy[e];
        });
    }

    /** What to do with element index {@code e} and its statistic index {@code s}. */
    private interface Visit {
        void at(int e, int s);
    }

    /** Visits every element of {@code X} in NCHW order with its statistic. */
    private static void forEach(BatchNorm op, Dims xd, Visit visit) {
        for (int t = 0; t < xd.n(); t++) {
            for (int c = 0; c < xd.c(); c++) {
                for (int i = 0; i < xd.h(); i++) {
                    for (int j = 0; j < xd.w(); j++) {
                        int s = op.perChannel() ? c : (c * xd.h() + i) * xd.w() + j;
                        visit.at(xd.at(t, c, i, j), s);
                    }
                }
            }
        }
    }
}
