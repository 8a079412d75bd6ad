package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Pool;

/**
 * maxpool, avgpool and their backward ops (docs/language.md §3). Window {@code (i,j)} covers the cells
 * {@code (i·sh + a, j·sw + b)}, {@code a < P}, {@code b < Q}; cells outside the input (ceil mode) are
 * ignored, not read as 0.
 */
final class PoolInterp {

    private PoolInterp() {}

    /**
     * max: {@code Y = max over the window's in-range cells}, {@code Path = i'·W + j'} of the first
     * maximum in row-major window order. avg: {@code Y = mean of the window's in-range cells}.
     * Input {@code X}; outputs {@code Y} and, for max, {@code Path}.
     */
    static void forward(Pool op, Step step, Memory mem) {
        Dims xd = Dims.of(step.input(0));
        Dims yd = Dims.of(step.output());
        double[] x = mem.read(step.input(0));
        double[] y = mem.write(step.output());
        int[] path = op.max() ? mem.writePath(step.outputs().get(1)) : null;
        for (int t = 0; t < yd.n(); t++) {
            for (int c = 0; c < yd.c(); c++) {
                for (int i = 0; i < yd.h(); i++) {
                    for (int j = 0; j < yd.w(); j++) {
                        double best = 0;
                        int winner = -1;
                        double sum = 0;
                        int count = 0;
                        for (int a = 0; a < op.p(); a++) {
                            for (int b = 0; b < op.q(); b++) {
                                int xi = i * op.sh() + a;
                                int xj = j * op.sw() + b;
                                if (!xd.inside(xi, xj)) {
                                    continue;
                                }
                                double v = x[xd.at(t, c, xi, xj)];
                                if (winner < 0 || v > best) {
                                    best = v;
                                    winner = xi * xd.w() + xj;
                                }
                                sum += v;
                                count++;
                            }
                        }
                        if (count == 0) {
                            throw new IllegalStateException(op.mnemonic() + " '" + step.node() + "': window (" + i + "," + j
                                    + ") has no cell inside the input");
                        }
                        int e = yd.at(t, c, i, j);
                        if (op.max()) {
                            y[e] = best;
                            path[e] = winner;
                        } else {
                            y[e] = sum / count;
                        }
                    }
                }
            }
        }
    }

    /** {@code ΔX = 0; ΔX[t][c][Path[t][c][i][j]] += ΔY[t][c][i][j]}. Inputs {@code ΔY, Path}; output {@code ΔX}. */
    static void backwardMax(MaxPoolBf op, Step step, Memory mem) {
        Dims yd = Dims.of(step.input(0));
        Dims xd = Dims.of(step.output());
        double[] dy = mem.read(step.input(0));
        int[] path = mem.readPath(step.input(1));
        double[] dx = mem.write(step.output());
        for (int t = 0; t < yd.n(); t++) {
            for (int c = 0; c < yd.c(); c++) {
                for (int i = 0; i < yd.h(); i++) {
                    for (int j = 0; j < yd.w(); j++) {
                        int e = yd.at(t, c, i, j);
                        dx[xd.at(t, c, 0, 0) + path[e]] += dy[e];
                    }
                }
            }
        }
    }

    /** {@code ΔX[cell] += ΔY[t][c][i][j] / count} for every in-range cell of every window. Input {@code ΔY}; output {@code ΔX}. */
    static void backwardAvg(AvgPoolBf bf, Step step, Memory mem) {
        Pool op = bf.pool();
        Dims yd = Dims.of(step.input(0));
        Dims xd = Dims.of(step.output());
        double[] dy = mem.read(step.input(0));
        double[] dx = mem.write(step.output());
        for (int t = 0; t < yd.n(); t++) {
            for (int c = 0; c < yd.c(); c++) {
                for (int i = 0; i < yd.h(); i++) {
                    for (int j = 0; j < yd.w(); j++) {
                        int count = 0;
                        for (int a = 0; a < op.p(); a++) {
                            for (int b = 0; b < op.q(); b++) {
                                if (xd.inside(i * op.sh() + a, j * op.sw() + b)) {
                                    count++;
                                }
                            }
                        }
                        for (int a = 0; a < op.p(); a++) {
                            for (int b = 0; b < op.q(); b++) {
                                int xi = i * op.sh() + a;
                                int xj = j * op.sw() + b;
                                if (xd.inside(xi, xj)) {
                                    dx[xd.at(t, c, xi, xj)] += dy[yd.at(t, c, i, j)] / count;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
