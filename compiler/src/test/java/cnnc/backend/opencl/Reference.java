package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import cnnc.ops.Add;
import cnnc.ops.AddBf;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.BatchNorm;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import cnnc.ops.Concat;
import cnnc.ops.ConcatBf;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Pool;
import cnnc.ops.Softmax;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;
import java.util.HashMap;
import java.util.Map;

/**
 * A float64 evaluation of a model's graphs written straight from SPEC §3, independent of the
 * kernels: backward scatters are written as scatters (the kernels gather), so the two meet only in
 * the formulas. A stand-in for {@code cnnc.interp.Interpreter} until that lands on main.
 */
final class Reference {

    final Map<String, double[]> v = new HashMap<>();
    final Map<String, int[]> paths = new HashMap<>();
    private final Model model;

    Reference(Model model, Map<String, float[]> initial) {
        this.model = model;
        initial.forEach((name, a) -> {
            double[] d = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                d[i] = a[i];
            }
            v.put(name, d);
        });
    }

    void forward(boolean inference) {
        model.forward().steps().forEach(s -> run(s, inference));
    }

    void backward() {
        model.backwardGraph().steps().forEach(s -> run(s, false));
    }

    private double[] in(Step s, int i) {
        return v.get(s.input(i).name());
    }

    private double[] out(Step s, int i) {
        double[] a = new double[(int) s.outputs().get(i).shape().size()];
        v.put(s.outputs().get(i).name(), a);
        return a;
    }

    private void run(Step s, boolean inference) {
        switch (s.op()) {
            case Conv op -> conv(s, op);
            case BatchNorm op -> bn(s, op, inference);
            case Activation op -> {
                double[] x = in(s, 0);
                double[] y = out(s, 0);
                for (int n = 0; n < x.length; n++) {
                    y[n] = switch (op.fn()) {
                        case RELU -> Math.max(0, x[n]);
                        case SIGMOID -> 1 / (1 + Math.exp(-x[n]));
                        case TANH -> Math.tanh(x[n]);
                    };
                }
            }
            case Pool op -> pool(s, op);
            case Full op -> full(s, op);
            case Softmax op -> softmax(s);
            case Add op -> {
                double[] a = in(s, 0);
                double[] b = in(s, 1);
                double[] y = out(s, 0);
                for (int n = 0; n < y.length; n++) {
                    y[n] = a[n] + b[n];
                }
            }
            case Concat op -> concat(s);
            case CrossEntropy op -> {
                double[] y = in(s, 0);
                double[] z = in(s, 1);
                double sum = 0;
                for (int n = 0; n < y.length; n++) {
                    sum += z[n] == 0 ? 0 : z[n] * Math.log(y[n]);
                }
                out(s, 0)[0] = -sum / s.input(0).shape().n();
            }
            case ConvBf op -> convBf(s, op.conv());
            case ConvGrad op -> convGrad(s, op.conv());
            case BnBf op -> bnBackward(s, op.bn(), true);
            case BnGrad op -> bnBackward(s, op.bn(), false);
            case ActivationBf op -> {
                double[] dy = in(s, 0);
                double[] r = in(s, 1);
                double[] dx = out(s, 0);
                for (int n = 0; n < dx.length; n++) {
                    dx[n] = switch (op.fn()) {
                        case RELU -> r[n] > 0 ? dy[n] : 0;
                        case SIGMOID -> dy[n] * r[n] * (1 - r[n]);
                        case TANH -> dy[n] * (1 - r[n] * r[n]);
                    };
                }
            }
            case MaxPoolBf op -> {
                double[] dy = in(s, 0);
                int[] path = paths.get(s.input(1).name());
                double[] dx = out(s, 0);
                Shape ys = s.input(0).shape();
                Shape xs = s.output().shape();
                int hw = ys.h() * ys.w();
                for (int n = 0; n < dy.length; n++) {
                    dx[n / hw * xs.h() * xs.w() + path[n]] += dy[n];
                }
            }
            case AvgPoolBf op -> avgBf(s, op.pool());
            case FullBf op -> {
                double[] dy = in(s, 0);
                double[] w = in(s, 1);
                double[] dx = out(s, 0);
                int k = op.full().k();
                int l = (int) s.output().shape().perSample();
                for (int t = 0; t < s.output().shape().n(); t++) {
                    for (int kk = 0; kk < k; kk++) {
                        for (int ll = 0; ll < l; ll++) {
                            dx[t * l + ll] += w[kk * l + ll] * dy[t * k + kk];
                        }
                    }
                }
            }
            case FullGrad op -> {
                double[] dy = in(s, 0);
                double[] x = in(s, 1);
                int k = op.full().k();
                int l = (int) s.input(1).shape().perSample();
                double[] dw = out(s, 0);
                double[] db = op.full().bias() ? out(s, 1) : new double[k];
                for (int t = 0; t < s.input(1).shape().n(); t++) {
                    for (int kk = 0; kk < k; kk++) {
                        db[kk] += dy[t * k + kk];
                        for (int ll = 0; ll < l; ll++) {
                            dw[kk * l + ll] += dy[t * k + kk] * x[t * l + ll];
                        }
                    }
                }
            }
            case SoftmaxCeBf op -> {
                double[] y = in(s, 0);
                double[] z = in(s, 1);
                double[] dx = out(s, 0);
                for (int n = 0; n < dx.length; n++) {
                    dx[n] = (y[n] - z[n]) / op.batch();
                }
            }
            case SoftmaxBf op -> {
                double[] dy = in(s, 0);
                double[] y = in(s, 1);
                double[] dx = out(s, 0);
                Shape sh = s.output().shape();
                int hw = sh.h() * sh.w();
                for (int t = 0; t < sh.n(); t++) {
                    for (int o = 0; o < hw; o++) {
                        double dot = 0;
                        for (int c = 0; c < sh.c(); c++) {
                            int n = (t * sh.c() + c) * hw + o;
                            dot += dy[n] * y[n];
                        }
                        for (int c = 0; c < sh.c(); c++) {
                            int n = (t * sh.c() + c) * hw + o;
                            dx[n] = y[n] * (dy[n] - dot);
                        }
                    }
                }
            }
            case AddBf op -> {
                for (int i = 0; i < s.outputs().size(); i++) {
                    v.put(s.outputs().get(i).name(), in(s, 0).clone());
                }
            }
            case ConcatBf op -> {
                double[] dy = in(s, 0);
                Shape ys = s.input(0).shape();
                int hw = ys.h() * ys.w();
                for (int i = 0; i < s.outputs().size(); i++) {
                    int from = op.offsets().get(i);
                    int c = s.outputs().get(i).shape().c();
                    double[] dx = out(s, i);
                    for (int t = 0; t < ys.n(); t++) {
                        System.arraycopy(dy, (t * ys.c() + from) * hw, dx, t * c * hw, c * hw);
                    }
                }
            }
            case Accumulate op -> {
                double[] dx = out(s, 0);
                for (int i = 0; i < s.inputs().size(); i++) {
                    double[] p = in(s, i);
                    for (int n = 0; n < dx.length; n++) {
                        dx[n] += p[n];
                    }
                }
            }
        }
    }

    private void conv(Step s, Conv op) {
        double[] x = in(s, 0);
        double[] w = in(s, 1);
        double[] b = op.bias() ? in(s, 2) : null;
        double[] y = out(s, 0);
        Shape xs = s.input(0).shape();
        Shape ys = s.output().shape();
        int cc = xs.c();
        for (int t = 0; t < ys.n(); t++) {
            for (int k = 0; k < ys.c(); k++) {
                for (int i = 0; i < ys.h(); i++) {
                    for (int j = 0; j < ys.w(); j++) {
                        double acc = b == null ? 0 : b[k];
                        for (int c = 0; c < cc; c++) {
                            for (int p = 0; p < op.m(); p++) {
                                for (int q = 0; q < op.n(); q++) {
                                    int r = i * op.sh() - op.pt() + p;
                                    int u = j * op.sw() - op.pl() + q;
                                    if (r >= 0 && r < xs.h() && u >= 0 && u < xs.w()) {
                                        acc += w[((k * cc + c) * op.m() + p) * op.n() + q] * x[((t * cc + c) * xs.h() + r) * xs.w() + u];
                                    }
                                }
                            }
                        }
                        y[((t * ys.c() + k) * ys.h() + i) * ys.w() + j] = acc;
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #conv}, written as a scatter: each (output, tap) adds into the input cell it read. */
    private void convBf(Step s, Conv op) {
        double[] dy = in(s, 0);
        double[] w = in(s, 1);
        double[] dx = out(s, 0);
        Shape ys = s.input(0).shape();
        Shape xs = s.output().shape();
        int cc = xs.c();
        for (int t = 0; t < ys.n(); t++) {
            for (int k = 0; k < ys.c(); k++) {
                for (int i = 0; i < ys.h(); i++) {
                    for (int j = 0; j < ys.w(); j++) {
                        double g = dy[((t * ys.c() + k) * ys.h() + i) * ys.w() + j];
                        for (int c = 0; c < cc; c++) {
                            for (int p = 0; p < op.m(); p++) {
                                for (int q = 0; q < op.n(); q++) {
                                    int r = i * op.sh() - op.pt() + p;
                                    int u = j * op.sw() - op.pl() + q;
                                    if (r >= 0 && r < xs.h() && u >= 0 && u < xs.w()) {
                                        dx[((t * cc + c) * xs.h() + r) * xs.w() + u] += w[((k * cc + c) * op.m() + p) * op.n() + q] * g;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private void convGrad(Step s, Conv op) {
        double[] dy = in(s, 0);
        double[] x = in(s, 1);
        double[] dw = out(s, 0);
        Shape ys = s.input(0).shape();
        Shape xs = s.input(1).shape();
        double[] db = op.bias() ? out(s, 1) : new double[ys.c()];
        int cc = xs.c();
        for (int t = 0; t < ys.n(); t++) {
            for (int k = 0; k < ys.c(); k++) {
                for (int i = 0; i < ys.h(); i++) {
                    for (int j = 0; j < ys.w(); j++) {
                        double g = dy[((t * ys.c() + k) * ys.h() + i) * ys.w() + j];
                        db[k] += g;
                        for (int c = 0; c < cc; c++) {
                            for (int p = 0; p < op.m(); p++) {
                                for (int q = 0; q < op.n(); q++) {
                                    int r = i * op.sh() - op.pt() + p;
                                    int u = j * op.sw() - op.pl() + q;
                                    if (r >= 0 && r < xs.h() && u >= 0 && u < xs.w()) {
                                        dw[((k * cc + c) * op.m() + p) * op.n() + q] += g * x[((t * cc + c) * xs.h() + r) * xs.w() + u];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Index of the statistic of element n of a tensor of shape x. */
    private static int stat(BatchNorm op, Shape x, int n) {
        int hw = x.h() * x.w();
        return op.perChannel() ? n / hw % x.c() : (int) (n % x.perSample());
    }

    private void bn(Step s, BatchNorm op, boolean inference) {
        double[] x = in(s, 0);
        double[] gamma = in(s, 1);
        double[] beta = in(s, 2);
        double[] rm = in(s, 3);
        double[] rv = in(s, 4);
        Shape xs = s.input(0).shape();
        int m = gamma.length;
        double cnt = op.valuesPerStatistic(xs);
        double[] y = out(s, 0);
        if (inference) {
            for (int n = 0; n < x.length; n++) {
                int g = stat(op, xs, n);
                y[n] = gamma[g] * (x[n] - rm[g]) / Math.sqrt(rv[g] + op.eps()) + beta[g];
            }
            return;
        }
        double[] mean = out(s, 1);
        double[] invstd = out(s, 2);
        double[] var = new double[m];
        for (int n = 0; n < x.length; n++) {
            mean[stat(op, xs, n)] += x[n] / cnt;
        }
        for (int n = 0; n < x.length; n++) {
            double d = x[n] - mean[stat(op, xs, n)];
            var[stat(op, xs, n)] += d * d / cnt;
        }
        for (int g = 0; g < m; g++) {
            invstd[g] = 1 / Math.sqrt(var[g] + op.eps());
            rm[g] = (1 - op.momentum()) * rm[g] + op.momentum() * mean[g];
            rv[g] = (1 - op.momentum()) * rv[g] + op.momentum() * var[g] * cnt / (cnt - 1);
        }
        for (int n = 0; n < x.length; n++) {
            int g = stat(op, xs, n);
            y[n] = gamma[g] * (x[n] - mean[g]) * invstd[g] + beta[g];
        }
    }

    private void bnBackward(Step s, BatchNorm op, boolean sensitivity) {
        double[] dy = in(s, 0);
        double[] x = in(s, 1);
        double[] gamma = sensitivity ? in(s, 2) : null;
        double[] mean = in(s, sensitivity ? 3 : 2);
        double[] invstd = in(s, sensitivity ? 4 : 3);
        Shape xs = s.input(1).shape();
        double cnt = op.valuesPerStatistic(xs);
        int m = mean.length;
        double[] sdy = new double[m];
        double[] sdyx = new double[m];
        for (int n = 0; n < x.length; n++) {
            int g = stat(op, xs, n);
            sdy[g] += dy[n];
            sdyx[g] += dy[n] * (x[n] - mean[g]) * invstd[g];
        }
        if (!sensitivity) {
            v.put(s.outputs().get(0).name(), sdyx);
            v.put(s.outputs().get(1).name(), sdy);
            return;
        }
        double[] dx = out(s, 0);
        for (int n = 0; n < x.length; n++) {
            int g = stat(op, xs, n);
            double xh = (x[n] - mean[g]) * invstd[g];
            dx[n] = gamma[g] * invstd[g] * (dy[n] - sdy[g] / cnt - xh * sdyx[g] / cnt);
        }
    }

    private void pool(Step s, Pool op) {
        double[] x = in(s, 0);
        double[] y = out(s, 0);
        Shape xs = s.input(0).shape();
        Shape ys = s.output().shape();
        int[] path = op.max() ? new int[y.length] : null;
        if (path != null) {
            paths.put(s.outputs().get(1).name(), path);
        }
        for (int tc = 0; tc < ys.n() * ys.c(); tc++) {
            for (int i = 0; i < ys.h(); i++) {
                for (int j = 0; j < ys.w(); j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int at = -1;
                    double sum = 0;
                    int count = 0;
                    for (int a = 0; a < op.p(); a++) {
                        for (int b = 0; b < op.q(); b++) {
                            int r = i * op.sh() + a;
                            int u = j * op.sw() + b;
                            if (r < xs.h() && u < xs.w()) {
                                double val = x[(tc * xs.h() + r) * xs.w() + u];
                                if (at < 0 || val > best) {
                                    best = val;
                                    at = r * xs.w() + u;
                                }
                                sum += val;
                                count++;
                            }
                        }
                    }
                    int o = (tc * ys.h() + i) * ys.w() + j;
                    y[o] = op.max() ? best : sum / count;
                    if (path != null) {
                        path[o] = at;
                    }
                }
            }
        }
    }

    private void avgBf(Step s, Pool op) {
        double[] dy = in(s, 0);
        double[] dx = out(s, 0);
        Shape ys = s.input(0).shape();
        Shape xs = s.output().shape();
        for (int tc = 0; tc < ys.n() * ys.c(); tc++) {
            for (int i = 0; i < ys.h(); i++) {
                for (int j = 0; j < ys.w(); j++) {
                    int rows = Math.min(i * op.sh() + op.p(), xs.h()) - i * op.sh();
                    int cols = Math.min(j * op.sw() + op.q(), xs.w()) - j * op.sw();
                    double g = dy[(tc * ys.h() + i) * ys.w() + j] / (rows * cols);
                    for (int a = 0; a < rows; a++) {
                        for (int b = 0; b < cols; b++) {
                            dx[(tc * xs.h() + i * op.sh() + a) * xs.w() + j * op.sw() + b] += g;
                        }
                    }
                }
            }
        }
    }

    private void full(Step s, Full op) {
        double[] x = in(s, 0);
        double[] w = in(s, 1);
        double[] b = op.bias() ? in(s, 2) : null;
        double[] y = out(s, 0);
        int l = (int) s.input(0).shape().perSample();
        for (int t = 0; t < s.input(0).shape().n(); t++) {
            for (int k = 0; k < op.k(); k++) {
                double acc = b == null ? 0 : b[k];
                for (int ll = 0; ll < l; ll++) {
                    acc += w[k * l + ll] * x[t * l + ll];
                }
                y[t * op.k() + k] = acc;
            }
        }
    }

    private void softmax(Step s) {
        double[] x = in(s, 0);
        double[] y = out(s, 0);
        Shape sh = s.input(0).shape();
        int hw = sh.h() * sh.w();
        for (int t = 0; t < sh.n(); t++) {
            for (int o = 0; o < hw; o++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < sh.c(); c++) {
                    max = Math.max(max, x[(t * sh.c() + c) * hw + o]);
                }
                double sum = 0;
                for (int c = 0; c < sh.c(); c++) {
                    sum += Math.exp(x[(t * sh.c() + c) * hw + o] - max);
                }
                for (int c = 0; c < sh.c(); c++) {
                    y[(t * sh.c() + c) * hw + o] = Math.exp(x[(t * sh.c() + c) * hw + o] - max) / sum;
                }
            }
        }
    }

    private void concat(Step s) {
        double[] y = out(s, 0);
        Shape ys = s.output().shape();
        int hw = ys.h() * ys.w();
        int offset = 0;
        for (Buffer b : s.inputs()) {
            double[] x = v.get(b.name());
            int c = b.shape().c();
            for (int t = 0; t < ys.n(); t++) {
                System.arraycopy(x, t * c * hw, y, (t * ys.c() + offset) * hw, c * hw);
            }
            offset += c;
        }
    }
}
