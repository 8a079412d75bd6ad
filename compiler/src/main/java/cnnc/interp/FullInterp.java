package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;

/**
 * full, full_bf and full_grad (docs/language.md §3). The input is flattened per sample to {@code L = C·H·W}
 * values in {@code (c,i,j)} order, which in NCHW storage is simply {@code x[t·L + l]}.
 */
final class FullInterp {

    private FullInterp() {}

    /** {@code Y[t][k] = b[k] + Σ_l W[k][l]·x[t][l]}. Inputs {@code x, W[, b]}; output {@code Y}. */
    static void forward(Full op, Step step, Memory mem) {
        int batch = step.input(0).shape().n();
        int len = (int) step.input(0).shape().perSample();
        double[] x = mem.read(step.input(0));
        double[] w = mem.read(step.input(1));
        double[] b = op.bias() ? mem.read(step.input(2)) : null;
        double[] y = mem.write(step.output());
        for (int t = 0; t < batch; t++) {
            for (int k = 0; k < op.k(); k++) {
                double sum = b == null ? 0 : b[k];
                for (int l = 0; l < len; l++) {
                    sum += w[k * len + l] * x[t * len + l];
                }
                y[t * op.k() + k] = sum;
            }
        }
    }

    /** {@code Δx[t][l] = Σ_k W[k][l]·ΔY[t][k]}. Inputs {@code ΔY, W}; output {@code Δx}. */
    static void backwardData(FullBf bf, Step step, Memory mem) {
        int kk = bf.full().k();
        int batch = step.output().shape().n();
        int len = (int) step.output().shape().perSample();
        double[] dy = mem.read(step.input(0));
        double[] w = mem.read(step.input(1));
        double[] dx = mem.write(step.output());
        for (int t = 0; t < batch; t++) {
            for (int l = 0; l < len; l++) {
                double sum = 0;
                for (int k = 0; k < kk; k++) {
                    sum += w[k * len + l] * dy[t * kk + k];
                }
                dx[t * len + l] = sum;
            }
        }
    }

    /** {@code ΔW[k][l] = Σ_t ΔY[t][k]·x[t][l]}, {@code Δb[k] = Σ_t ΔY[t][k]}. Inputs {@code ΔY, x}; outputs {@code ΔW[, Δb]}. */
    static void backwardWeights(FullGrad grad, Step step, Memory mem) {
        int kk = grad.full().k();
        int batch = step.input(1).shape().n();
        int len = (int) step.input(1).shape().perSample();
        double[] dy = mem.read(step.input(0));
        double[] x = mem.read(step.input(1));
        double[] dw = mem.write(step.outputs().get(0));
        for (int k = 0; k < kk; k++) {
            for (int l = 0; l < len; l++) {
                double sum = 0;
                for (int t = 0; t < batch; t++) {
                    sum += dy[t * kk + k] * x[t * len + l];
                }
                dw[k * len + l] = sum;
            }
        }
        if (grad.full().bias()) {
            double[] db = mem.write(step.outputs().get(1));
            for (int k = 0; k < kk; k++) {
                double sum = 0;
                for (int t = 0; t < batch; t++) {
                    sum += dy[t * kk + k];
                }
                db[k] = sum;
            }
        }
    }
}
