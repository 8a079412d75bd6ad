package cnnc.backend.java;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.Add;
import cnnc.ops.BatchNorm;
import cnnc.ops.Concat;
import cnnc.ops.Conv;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Dropout;
import cnnc.ops.Full;
import cnnc.ops.Pool;
import cnnc.ops.Softmax;
import java.util.HashMap;
import java.util.Map;

/**
 * An independent float64 forward pass written straight from docs/language.md §3 with naive loops (no ranges,
 * no unrolling), in training mode: the reference the generated code is checked against, and the
 * function whose finite differences check the generated gradients.
 */
final class Reference {

    final Map<String, double[]> values = new HashMap<>();
    final Map<String, int[]> paths = new HashMap<>();

    /** The train block's seed: dropout's masks (drawn for step 0, a new network's first forward pass). */
    private long seed;

    /** Runs the model's forward graph on {@code sources} (parameters, input, target). */
    static Reference run(Model m, Map<String, double[]> sources) {
        return run(m, sources, null, 0, 0);
    }

    /** As {@link #run(Model, Map)}, adding {@code h} to element {@code index} of tensor {@code nudged} once it is computed. */
    static Reference run(Model m, Map<String, double[]> sources, String nudged, int index, double h) {
        Reference r = new Reference();
        r.seed = m.train().seed();
        sources.forEach((k, v) -> r.values.put(k, v.clone()));
        if (nudged != null && r.values.containsKey(nudged)) {
            r.values.get(nudged)[index] += h;
        }
        for (Step s : m.forward().steps()) {
            r.step(s);
            if (s.output().name().equals(nudged)) {
                r.values.get(nudged)[index] += h;
            }
        }
        return r;
    }

    double loss(Model m) {
        return values.get(m.loss().name())[0];
    }

    double[] v(Buffer b) {
        return values.get(b.name());
    }

    private void step(Step s) {
        Shape y = s.output().shape();
        double[] out = new double[(int) y.size()];
        values.put(s.output().name(), out);
        switch ((cnnc.ops.ForwardOp) s.op()) {
            case Conv op -> conv(op, s, out);
            case Pool op -> pool(op, s, out);
            case BatchNorm op -> bn(op, s, out);
            case Activation op -> {
                double[] x = v(s.input(0));
                for (int e = 0; e < x.length; e++) {
                    out[e] = switch (op.fn()) {
                        case RELU -> Math.max(0, x[e]);
                        case SIGMOID -> 1 / (1 + Math.exp(-x[e]));
                        case TANH -> Math.tanh(x[e]);
                        case LEAKY_RELU -> x[e] > 0 ? x[e] : op.a() * x[e];
                        case ELU -> x[e] > 0 ? x[e] : op.a() * (Math.exp(x[e]) - 1);
                    };
                }
            }
            case Full op -> {
                double[] x = v(s.input(0));
                double[] w = v(s.input(1));
                int T = y.n(), K = op.k(), L = x.length / T;
                for (int t = 0; t < T; t++) {
                    for (int k = 0; k < K; k++) {
                        double sum = op.bias() ? v(s.input(2))[k] : 0;
                        for (int l = 0; l < L; l++) {
                            sum += w[k * L + l] * x[t * L + l];
                        }
                        out[t * K + k] = sum;
                    }
                }
            }
            case Softmax op -> {
                double[] x = v(s.input(0));
                int C = y.c(), hw = y.h() * y.w();
                for (int t = 0; t < y.n(); t++) {
                    for (int r = 0; r < hw; r++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int c = 0; c < C; c++) {
                            max = Math.max(max, x[(t * C + c) * hw + r]);
                        }
                        double sum = 0;
                        for (int c = 0; c < C; c++) {
                            sum += Math.exp(x[(t * C + c) * hw + r] - max);
                        }
                        for (int c = 0; c < C; c++) {
                            out[(t * C + c) * hw + r] = Math.exp(x[(t * C + c) * hw + r] - max) / sum;
                        }
                    }
                }
            }
            case Add op -> {
                double[] a = v(s.input(0));
                double[] b = v(s.input(1));
                for (int e = 0; e < out.length; e++) {
                    out[e] = a[e] + b[e];
                }
            }
            case Concat op -> {
                int at = 0;
                int hw = y.h() * y.w();
                for (int t = 0; t < y.n(); t++) {
                    for (Buffer in : s.inputs()) {
                        int n = in.shape().c() * hw;
                        System.arraycopy(v(in), t * n, out, at, n);
                        at += n;
                    }
                }
            }
            case Dropout op -> {
                // the mask is defined by its hash (cnnc.runtime.DropoutMask); the arithmetic around it is checked here
                double[] x = v(s.input(0));
                double[] mask = new double[x.length];
                long key = cnnc.runtime.DropoutMask.key(cnnc.runtime.DropoutMask.base(seed, s.node()), 0);
                for (int e = 0; e < x.length; e++) {
                    mask[e] = cnnc.runtime.DropoutMask.keep(key, e, cnnc.runtime.DropoutMask.threshold(op.p())) ? 1 : 0;
                    out[e] = x[e] * mask[e] / (1 - op.p());
                }
                values.put(s.outputs().get(1).name(), mask);
            }
            case CrossEntropy op -> {
                double[] yy = v(s.input(0));
                double[] z = v(s.input(1));
                double sum = 0;
                for (int e = 0; e < yy.length; e++) {
                    if (z[e] != 0) {
                        sum += z[e] * Math.log(yy[e]);
                    }
                }
                out[0] = -sum / s.input(0).shape().n();
            }
            case cnnc.ops.Deconv op -> deconv(op, s, out);
        }
    }

    private void conv(Conv op, Step s, double[] out) {
        Shape xs = s.input(0).shape();
        Shape y = s.output().shape();
        double[] x = v(s.input(0));
        double[] w = v(s.input(1));
        int C = xs.c(), H = xs.h(), W = xs.w(), K = y.c(), M = op.m(), N = op.n();
        for (int t = 0; t < y.n(); t++) {
            for (int k = 0; k < K; k++) {
                for (int i = 0; i < y.h(); i++) {
                    for (int j = 0; j < y.w(); j++) {
                        double sum = op.bias() ? v(s.input(2))[k] : 0;
                        for (int c = 0; c < C; c++) {
                            for (int p = 0; p < M; p++) {
                                for (int q = 0; q < N; q++) {
                                    int ii = i * op.sh() - op.pt() + p;
                                    int jj = j * op.sw() - op.pl() + q;
                                    if (ii >= 0 && ii < H && jj >= 0 && jj < W) {
                                        sum += w[((k * C + c) * M + p) * N + q] * x[((t * C + c) * H + ii) * W + jj];
                                    }
                                }
                            }
                        }
                        out[((t * K + k) * y.h() + i) * y.w() + j] = sum;
                    }
                }
            }
        }
    }

    /** {@code Y[t][k][i][j] = b[k] + Σ_c Σ_u Σ_v W[c][k][u][v] · X[t][c][(i+p-u)/sh][(j+q-v)/sw]}, where both divide. */
    private void deconv(cnnc.ops.Deconv op, Step s, double[] out) {
        Shape xs = s.input(0).shape();
        Shape y = s.output().shape();
        double[] x = v(s.input(0));
        double[] w = v(s.input(1));
        int C = xs.c(), H = xs.h(), W = xs.w(), K = y.c(), M = op.m(), N = op.n();
        for (int t = 0; t < y.n(); t++) {
            for (int k = 0; k < K; k++) {
                for (int i = 0; i < y.h(); i++) {
                    for (int j = 0; j < y.w(); j++) {
                        double sum = op.bias() ? v(s.input(2))[k] : 0;
                        for (int c = 0; c < C; c++) {
                            for (int u = 0; u < M; u++) {
                                for (int q = 0; q < N; q++) {
                                    int a = i + op.ph() - u;
                                    int b = j + op.pw() - q;
                                    if (a >= 0 && b >= 0 && a % op.sh() == 0 && b % op.sw() == 0 && a / op.sh() < H && b / op.sw() < W) {
                                        sum += w[((c * K + k) * M + u) * N + q] * x[((t * C + c) * H + a / op.sh()) * W + b / op.sw()];
                                    }
                                }
                            }
                        }
                        out[((t * K + k) * y.h() + i) * y.w() + j] = sum;
                    }
                }
            }
        }
    }

    private void pool(Pool op, Step s, double[] out) {
        Shape xs = s.input(0).shape();
        Shape y = s.output().shape();
        double[] x = v(s.input(0));
        int[] path = new int[out.length];
        if (op.max()) {
            paths.put(s.outputs().get(1).name(), path);
        }
        int H = xs.h(), W = xs.w();
        for (int t = 0; t < y.n(); t++) {
            for (int c = 0; c < y.c(); c++) {
                int xo = (t * y.c() + c) * H * W;
                for (int i = 0; i < y.h(); i++) {
                    for (int j = 0; j < y.w(); j++) {
                        double best = Double.NEGATIVE_INFINITY;
                        int arg = -1;
                        double sum = 0;
                        int count = 0;
                        for (int a = 0; a < op.p(); a++) {
                            for (int b = 0; b < op.q(); b++) {
                                int ii = i * op.sh() + a;
                                int jj = j * op.sw() + b;
                                if (ii < H && jj < W) {
                                    double val = x[xo + ii * W + jj];
                                    if (val > best) {
                                        best = val;
                                        arg = ii * W + jj;
                                    }
                                    sum += val;
                                    count++;
                                }
                            }
                        }
                        int o = ((t * y.c() + c) * y.h() + i) * y.w() + j;
                        out[o] = op.max() ? best : sum / count;
                        path[o] = arg;
                    }
                }
            }
        }
    }

    private void bn(BatchNorm op, Step s, double[] out) {
        Shape xs = s.input(0).shape();
        double[] x = v(s.input(0));
        double[] g = v(s.input(1));
        double[] b = v(s.input(2));
        int T = xs.n(), C = xs.c(), hw = xs.h() * xs.w();
        int stats = op.perChannel() ? C : C * hw;
        double[] mean = new double[stats];
        double[] var = new double[stats];
        int[] count = new int[stats];
        for (int t = 0; t < T; t++) {
            for (int e = 0; e < C * hw; e++) {
                int st = op.perChannel() ? e / hw : e;
                mean[st] += x[t * C * hw + e];
                count[st]++;
            }
        }
        for (int st = 0; st < stats; st++) {
            mean[st] /= count[st];
        }
        for (int t = 0; t < T; t++) {
            for (int e = 0; e < C * hw; e++) {
                int st = op.perChannel() ? e / hw : e;
                double d = x[t * C * hw + e] - mean[st];
                var[st] += d * d;
            }
        }
        for (int st = 0; st < stats; st++) {
            var[st] /= count[st];
        }
        values.put(s.outputs().get(1).name(), mean);
        values.put(s.outputs().get(2).name(), var);
        for (int t = 0; t < T; t++) {
            for (int e = 0; e < C * hw; e++) {
                int st = op.perChannel() ? e / hw : e;
                out[t * C * hw + e] = g[st] * (x[t * C * hw + e] - mean[st]) / Math.sqrt(var[st] + op.eps()) + b[st];
            }
        }
    }
}
