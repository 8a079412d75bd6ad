package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Pool;
import cnnc.ops.Taps;
import java.util.List;

/**
 * Kernels of max and average pooling. Forward windows are unrolled. Both backward kernels are
 * gathers: one work-item per input cell visits, in row-major order, the outputs whose windows
 * contain it — the scatter {@code ΔX[Path] += ΔY} of the formula without a race (PoCL has no float
 * atomics), and in the very order a sequential scatter adds, so results match it bit for bit.
 */
final class PoolKernels {

    private PoolKernels() {}

    static List<Kernel> forward(Names names, Step step, Pool op) {
        Buffer x = step.input(0);
        Buffer y = step.output();
        Shape xs = x.shape();
        Shape ys = y.shape();
        String word = op.max() ? "maxpool" : "avgpool";
        KernelBuilder k = new KernelBuilder(names.kernel(word, step.node()), word + " '" + step.node() + "'", step,
                op.formula(), "output element (t,c,i,j)", ys.size());
        if (op.ceil()) {
            k.note("ceil: window cells outside the input are ignored.");
        }
        k.in("X", x).out("Y", y);
        if (op.max()) {
            k.out("Path", step.outputs().get(1));
        }
        k.index("t", ys.n(), "c", ys.c(), "i", ys.h(), "j", ys.w());
        k.line("const __global float* x = X + (t * " + xs.c() + " + c) * " + (xs.h() * xs.w()) + ";");
        k.line("const int r = i * " + op.sh() + ";");
        k.line("const int s = j * " + op.sw() + ";");
        boolean anyCheck = false;
        for (int a = 0; a < op.p(); a++) {
            for (int b = 0; b < op.q(); b++) {
                String row = KernelBuilder.plus("r", a);
                String col = KernelBuilder.plus("s", b);
                String at = (a == 0 ? "r" : "(" + row + ")") + " * " + xs.w() + " + " + col;
                String check = inside(row, Taps.spills(ys.h(), xs.h(), op.sh(), a + 1), xs.h(), col,
                        Taps.spills(ys.w(), xs.w(), op.sw(), b + 1), xs.w());
                anyCheck |= check != null;
                if (a == 0 && b == 0) {
                    // the first cell of every window lies inside the input, even with ceil
                    if (op.max()) {
                        k.line("float m = x[" + at + "];");
                        k.line("int at = " + at + ";");
                    } else {
                        k.line("float sum = x[" + at + "];");
                        k.line("int n = 1;");
                    }
                    continue;
                }
                String update = op.max() ? "{ const float v = x[" + at + "]; if (v > m) { m = v; at = " + at + "; } }"
                        : "{ sum += x[" + at + "]; n++; }";
                k.line(check == null ? update : "if (" + check + ") " + update);
            }
        }
        if (op.max()) {
            k.line("Y[g] = m;");
            k.line("Path[g] = at;");
        } else {
            k.line("Y[g] = sum / " + (anyCheck ? "(float) n" : KernelBuilder.f(op.p() * op.q())) + ";");
        }
        return List.of(k.build());
    }

    /** The bounds check of a window cell, or null when it is inside for every window. */
    private static String inside(String row, boolean rowSpills, int h, String col, boolean colSpills, int w) {
        String r = rowSpills ? row + " < " + h : null;
        String c = colSpills ? col + " < " + w : null;
        if (r == null) {
            return c;
        }
        return c == null ? r : r + " && " + c;
    }

    /** Pooling_BF for max: {@code ΔX[t][c][r][s] = Σ ΔY[t][c][i][j]} over the windows containing (r,s) whose path is (r,s). */
    static List<Kernel> maxBackward(Names names, Step step, MaxPoolBf bf) {
        return gather(names, step, bf.pool(), bf.formula(), step.input(1));
    }

    /** Pooling_BF for avg: {@code ΔX[t][c][r][s] = Σ ΔY[t][c][i][j] / count(i,j)} over the windows containing (r,s). */
    static List<Kernel> avgBackward(Names names, Step step, AvgPoolBf bf) {
        return gather(names, step, bf.pool(), bf.formula(), null);
    }

    private static List<Kernel> gather(Names names, Step step, Pool op, String formula, Buffer path) {
        Buffer dy = step.input(0);
        Buffer dx = step.output();
        Shape ys = dy.shape();
        Shape xs = dx.shape();
        String word = op.max() ? "maxpool_bf" : "avgpool_bf";
        KernelBuilder k = new KernelBuilder(names.kernel(word, step.node()), word + " for '" + step.node() + "'", step,
                formula, "input cell (t,c,r,s)", xs.size());
        k.note("Written as a gather: the windows containing row r are i in [ceil((r-" + op.p() + "+1)/" + op.sh()
                + "), floor(r/" + op.sh() + ")], visited in row-major order" + (op.overlapping() ? " (windows overlap)." : "."));
        k.in("dY", dy);
        if (path != null) {
            k.in("Path", path);
        }
        k.out("dX", dx);
        k.index("t", xs.n(), "c", xs.c(), "r", xs.h(), "s", xs.w());
        int hw = ys.h() * ys.w();
        k.line("const int base = (t * " + ys.c() + " + c) * " + hw + ";");
        if (path != null) {
            k.line("const int here = r * " + xs.w() + " + s;");
        }
        // C division truncates toward zero: for a negative numerator the max with 0 still gives the right bound
        k.line("const int i0 = max(0, (r - " + op.p() + " + " + op.sh() + ") / " + op.sh() + ");");
        k.line("const int i1 = min(" + (ys.h() - 1) + ", r / " + op.sh() + ");");
        k.line("const int j0 = max(0, (s - " + op.q() + " + " + op.sw() + ") / " + op.sw() + ");");
        k.line("const int j1 = min(" + (ys.w() - 1) + ", s / " + op.sw() + ");");
        k.line("float acc = 0.0f;");
        k.open("for (int i = i0; i <= i1; i++)");
        k.open("for (int j = j0; j <= j1; j++)");
        k.line("const int o = base + i * " + ys.w() + " + j;");
        if (path != null) {
            k.line("if (Path[o] == here) acc += dY[o];");
        } else if (op.ceil()) {
            k.line("const int n = (min(i * " + op.sh() + " + " + op.p() + ", " + xs.h() + ") - i * " + op.sh() + ") * (min(j * "
                    + op.sw() + " + " + op.q() + ", " + xs.w() + ") - j * " + op.sw() + ");");
            k.line("acc += dY[o] / (float) n;");
        } else {
            k.line("acc += dY[o] / " + KernelBuilder.f(op.p() * op.q()) + ";");
        }
        k.close().close();
        k.line("dX[g] = acc;");
        return List.of(k.build());
    }
}
