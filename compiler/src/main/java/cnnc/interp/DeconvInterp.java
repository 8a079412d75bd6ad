package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.BiasGrad;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;

/**
 * deconv as PyTorch's {@code conv_transpose2d} defines it, a scatter of every input pixel's window (not the
 * gather the backends run, so the gradient check compares two derivations); its backward as the conv and
 * conv_grad of its dual convolution, which {@link ConvInterp} computes.
 */
final class DeconvInterp {

    private DeconvInterp() {}

    /**
     * {@code Y[t][k][i·sh - p + u][j·sw - q + v] += X[t][c][i][j] · W[c][k][u][v]} over the cells inside
     * {@code Y}, every cell starting from {@code b[k]}. Inputs {@code X, W[, b]}; output {@code Y}.
     */
    static void forward(Deconv op, Step step, Memory mem) {
        Dims xd = Dims.of(step.input(0));
        Dims yd = Dims.of(step.output());
        double[] x = mem.read(step.input(0));
        double[] w = mem.read(step.input(1));
        double[] b = op.bias() ? mem.read(step.input(2)) : null;
        double[] y = mem.write(step.output());
        for (int t = 0; t < yd.n(); t++) {
            for (int k = 0; k < yd.c(); k++) {
                for (int e = 0; e < yd.h() * yd.w(); e++) {
                    y[yd.at(t, k, 0, 0) + e] = b == null ? 0 : b[k];
                }
            }
            for (int c = 0; c < xd.c(); c++) {
                for (int i = 0; i < xd.h(); i++) {
                    for (int j = 0; j < xd.w(); j++) {
                        double v0 = x[xd.at(t, c, i, j)];
                        for (int k = 0; k < yd.c(); k++) {
                            for (int u = 0; u < op.m(); u++) {
                                for (int v = 0; v < op.n(); v++) {
                                    int yi = i * op.sh() - op.ph() + u;
                                    int yj = j * op.sw() - op.pw() + v;
                                    if (yd.inside(yi, yj)) {
                                        y[yd.at(t, k, yi, yj)] += v0 * w[((c * yd.c() + k) * op.m() + u) * op.n() + v];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code ΔX = conv(ΔY, W)} of the dual convolution. Inputs {@code ΔY, W}; output {@code ΔX}. */
    static void backwardData(DeconvBf bf, Step step, Memory mem) {
        ConvInterp.forward(bf.deconv().dual(), step, mem);
    }

    /** {@code ΔW = conv_grad(X, ΔY)} of the dual convolution. Inputs {@code X, ΔY}; output {@code ΔW}. */
    static void backwardWeights(DeconvGrad grad, Step step, Memory mem) {
        ConvInterp.backwardWeights(grad.convGrad(), step, mem);
    }

    /** {@code Δb[k] = Σ_t,i,j ΔY[t][k][i][j]}. */
    static void bias(BiasGrad op, Step step, Memory mem) {
        Dims d = Dims.of(step.input(0));
        double[] dy = mem.read(step.input(0));
        double[] db = mem.write(step.output());
        for (int k = 0; k < d.c(); k++) {
            double sum = 0;
            for (int t = 0; t < d.n(); t++) {
                for (int e = 0; e < d.h() * d.w(); e++) {
                    sum += dy[d.at(t, k, 0, 0) + e];
                }
            }
            db[k] = sum;
        }
    }
}
