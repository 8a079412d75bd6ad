package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Softmax;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;

/** softmax over channels at every {@code (t,i,j)}, the cross-entropy loss and their backward ops (docs/language.md §3). */
final class SoftmaxInterp {

    private SoftmaxInterp() {}

    /** {@code Y = exp(X - max_c X) / Σ_c exp(X - max_c X)}. Input {@code X}; output {@code Y}. */
    static void forward(Softmax op, Step step, Memory mem) {
        Dims d = Dims.of(step.input(0));
        double[] x = mem.read(step.input(0));
        double[] y = mem.write(step.output());
        for (int t = 0; t < d.n(); t++) {
            for (int i = 0; i < d.h(); i++) {
                for (int j = 0; j < d.w(); j++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < d.c(); c++) {
                        max = Math.max(max, x[d.at(t, c, i, j)]);
                    }
                    double sum = 0;
                    for (int c = 0; c < d.c(); c++) {
                        sum += Math.exp(x[d.at(t, c, i, j)] - max);
                    }
                    for (int c = 0; c < d.c(); c++) {
                        y[d.at(t, c, i, j)] = Math.exp(x[d.at(t, c, i, j)] - max) / sum;
                    }
                }
            }
        }
    }

    /**
     * {@code J = -(1/T) Σ_t Σ_{c,i,j} z·log(y)}; a term with {@code z = 0} counts 0 (its limit) even
     * where {@code y} underflowed to 0; {@code log y} comes from the logits {@code h}. Inputs
     * {@code y, z, h}; output the loss {@code [1]}.
     */
    static void loss(CrossEntropy op, Step step, Memory mem) {
        Dims d = Dims.of(step.input(0));
        double[] z = mem.read(step.input(1));
        double[] h = mem.read(step.input(2));
        double sum = 0;
        for (int t = 0; t < d.n(); t++) {
            for (int i = 0; i < d.h(); i++) {
                for (int j = 0; j < d.w(); j++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < d.c(); c++) {
                        max = Math.max(max, h[d.at(t, c, i, j)]);
                    }
                    double exps = 0;
                    for (int c = 0; c < d.c(); c++) {
                        exps += Math.exp(h[d.at(t, c, i, j)] - max);
                    }
                    double log = Math.log(exps);
                    for (int c = 0; c < d.c(); c++) {
                        int e = d.at(t, c, i, j);
                        if (z[e] != 0) {
                            sum += z[e] * (h[e] - max - log);
                        }
                    }
                }
            }
        }
        mem.write(step.output())[0] = -sum / d.n();
    }

    /** Softmax_BF fused with the loss: {@code ΔX = (y - z)/T}. Inputs {@code y, z}; output {@code ΔX}. */
    static void backwardWithLoss(SoftmaxCeBf op, Step step, Memory mem) {
        double[] y = mem.read(step.input(0));
        double[] z = mem.read(step.input(1));
        double[] dx = mem.write(step.output());
        for (int e = 0; e < y.length; e++) {
            dx[e] = (y[e] - z[e]) / op.batch();
        }
    }

    /** Softmax_BF alone: {@code ΔX = Y·(ΔY - Σ_c ΔY·Y)} at every {@code (t,i,j)}. Inputs {@code ΔY, Y}; output {@code ΔX}. */
    static void backward(SoftmaxBf op, Step step, Memory mem) {
        Dims d = Dims.of(step.input(1));
        double[] dy = mem.read(step.input(0));
        double[] y = mem.read(step.input(1));
        double[] dx = mem.write(step.output());
        for (int t = 0; t < d.n(); t++) {
            for (int i = 0; i < d.h(); i++) {
                for (int j = 0; j < d.w(); j++) {
                    double dot = 0;
                    for (int c = 0; c < d.c(); c++) {
                        dot += dy[d.at(t, c, i, j)] * y[d.at(t, c, i, j)];
                    }
                    for (int c = 0; c < d.c(); c++) {
                        int e = d.at(t, c, i, j);
                        dx[e] = y[e] * (dy[e] - dot);
                    }
                }
            }
        }
    }
}
