package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;

/** conv, conv_bf and conv_grad exactly as docs/language.md §3 writes them; reads outside {@code X} or {@code ΔY} are 0. */
final class ConvInterp {

    private ConvInterp() {}

    /**
     * {@code Y[t][k][i][j] = b[k] + Σ_c Σ_p Σ_q W[k][c][p][q] · X[t][c][i·sh - Pt + p][j·sw - Pl + q]}.
     * Inputs {@code X, W[, b]}; output {@code Y}.
     */
    static void forward(Conv op, Step step, Memory mem) {
        Dims xd = Dims.of(step.input(0));
        Dims yd = Dims.of(step.output());
        double[] x = mem.read(step.input(0));
        double[] w = mem.read(step.input(1));
        double[] b = op.bias() ? mem.read(step.input(2)) : null;
        double[] y = mem.write(step.output());
        int cs = xd.c();
        for (int t = 0; t < yd.n(); t++) {
            for (int k = 0; k < yd.c(); k++) {
                for (int i = 0; i < yd.h(); i++) {
                    for (int j = 0; j < yd.w(); j++) {
                        double sum = b == null ? 0 : b[k];
                        for (int c = 0; c < cs; c++) {
                            for (int p = 0; p < op.m(); p++) {
                                for (int q = 0; q < op.n(); q++) {
                                    int xi = i * op.sh() - op.pt() + p;
                                    int xj = j * op.sw() - op.pl() + q;
                                    if (xd.inside(xi, xj)) {
                                        sum += w[weight(op, cs, k, c, p, q)] * x[xd.at(t, c, xi, xj)];
                                    }
                                }
                            }
                        }
                        y[yd.at(t, k, i, j)] = sum;
                    }
                }
            }
        }
    }

    /**
     * Conv_BF as the seeds write it: a convolution of {@code ΔY} dilated by the stride with
     * {@code V[c][k][p][q] = W[k][c][M-1-p][N-1-q]} at the backward anchor {@code (M-1-Pt, N-1-Pl)}:
     * {@code ΔX[t][c][i][j] = Σ_k Σ_p Σ_q V[c][k][p][q] · D[t][k][i - (M-1-Pt) + p][j - (N-1-Pl) + q]}
     * where {@code D[u][v] = ΔY[u/sh][v/sw]} when both divide, else 0 (the skipped zero taps).
     * Inputs {@code ΔY, W}; output {@code ΔX}.
     */
    static void backwardData(ConvBf bf, Step step, Memory mem) {
        Conv op = bf.conv();
        Dims dyd = Dims.of(step.input(0));
        Dims dxd = Dims.of(step.output());
        double[] dy = mem.read(step.input(0));
        double[] w = mem.read(step.input(1));
        double[] dx = mem.write(step.output());
        int am = op.m() - 1 - op.pt();
        int an = op.n() - 1 - op.pl();
        for (int t = 0; t < dxd.n(); t++) {
            for (int c = 0; c < dxd.c(); c++) {
                for (int i = 0; i < dxd.h(); i++) {
                    for (int j = 0; j < dxd.w(); j++) {
                        double sum = 0;
                        for (int k = 0; k < dyd.c(); k++) {
                            for (int p = 0; p < op.m(); p++) {
                                for (int q = 0; q < op.n(); q++) {
                                    int u = i - am + p;
                                    int v = j - an + q;
                                    if (u < 0 || v < 0 || u % op.sh() != 0 || v % op.sw() != 0) {
                                        continue;
                                    }
                                    int yi = u / op.sh();
                                    int yj = v / op.sw();
                                    if (dyd.inside(yi, yj)) {
                                        double vcoef = w[weight(op, dxd.c(), k, c, op.m() - 1 - p, op.n() - 1 - q)];
                                        sum += vcoef * dy[dyd.at(t, k, yi, yj)];
                                    }
                                }
                            }
                        }
                        dx[dxd.at(t, c, i, j)] = sum;
                    }
                }
            }
        }
    }

    /**
     * Conv_grad: {@code ΔW[k][c][p][q] = Σ_t Σ_i Σ_j ΔY[t][k][i][j] · X[t][c][i·sh - Pt + p][j·sw - Pl + q]},
     * {@code Δb[k] = Σ_{t,i,j} ΔY[t][k][i][j]}. Inputs {@code ΔY, X}; outputs {@code ΔW[, Δb]}.
     */
    static void backwardWeights(ConvGrad grad, Step step, Memory mem) {
        Conv op = grad.conv();
        Dims dyd = Dims.of(step.input(0));
        Dims xd = Dims.of(step.input(1));
        double[] dy = mem.read(step.input(0));
        double[] x = mem.read(step.input(1));
        double[] dw = mem.write(step.outputs().get(0));
        for (int k = 0; k < dyd.c(); k++) {
            for (int c = 0; c < xd.c(); c++) {
                for (int p = 0; p < op.m(); p++) {
                    for (int q = 0; q < op.n(); q++) {
                        double sum = 0;
                        for (int t = 0; t < dyd.n(); t++) {
                            for (int i = 0; i < dyd.h(); i++) {
                                for (int j = 0; j < dyd.w(); j++) {
                                    int xi = i * op.sh() - op.pt() + p;
                                    int xj = j * op.sw() - op.pl() + q;
                                    if (xd.inside(xi, xj)) {
                                        sum += dy[dyd.at(t, k, i, j)] * x[xd.at(t, c, xi, xj)];
                                    }
                                }
                            }
                        }
                        dw[weight(op, xd.c(), k, c, p, q)] = sum;
                    }
                }
            }
        }
        if (op.bias()) {
            double[] db = mem.write(step.outputs().get(1));
            for (int k = 0; k < dyd.c(); k++) {
                double sum = 0;
                for (int t = 0; t < dyd.n(); t++) {
                    for (int i = 0; i < dyd.h(); i++) {
                        for (int j = 0; j < dyd.w(); j++) {
                            sum += dy[dyd.at(t, k, i, j)];
                        }
                    }
                }
                db[k] = sum;
            }
        }
    }

    /** The index of {@code W[k][c][p][q]} in {@code W[K][C][M][N]}. */
    private static int weight(Conv op, int channels, int k, int c, int p, int q) {
        return ((k * channels + c) * op.m() + p) * op.n() + q;
    }
}
