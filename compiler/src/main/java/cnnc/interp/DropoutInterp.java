package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.Dropout;
import cnnc.ops.DropoutBf;
import cnnc.runtime.DropoutMask;

/** {@code dropout} and its backward step in float64 (docs/language.md): the mask by {@link DropoutMask}, as the backends draw it. */
final class DropoutInterp {

    private DropoutInterp() {}

    /**
     * Training: {@code M[e] = keep(key, e)}, {@code Y = X·M/(1-p)}; inference: {@code Y = X}.
     * Input {@code X}; outputs {@code Y} and {@code M}.
     */
    static void forward(Dropout op, Step step, Memory mem, boolean training, long seed, long trainingStep) {
        double[] x = mem.read(step.input(0));
        double[] y = mem.write(step.output());
        if (!training) {
            System.arraycopy(x, 0, y, 0, x.length);
            return;
        }
        double[] m = mem.write(step.outputs().get(1));
        long key = DropoutMask.key(DropoutMask.base(seed, step.node()), trainingStep);
        int threshold = DropoutMask.threshold(op.p());
        for (int e = 0; e < x.length; e++) {
            m[e] = DropoutMask.keep(key, e, threshold) ? 1 : 0;
            y[e] = x[e] * m[e] / (1 - op.p());
        }
    }

    /** {@code ΔX = ΔY·M/(1-p)}. Inputs {@code ΔY, M}; output {@code ΔX}. */
    static void backward(DropoutBf op, Step step, Memory mem) {
        double[] dy = mem.read(step.input(0));
        double[] m = mem.read(step.input(1));
        double[] dx = mem.write(step.output());
        for (int e = 0; e < dy.length; e++) {
            dx[e] = dy[e] * m[e] / (1 - op.dropout().p());
        }
    }
}
