package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import cnnc.ops.Expr;

/** The element-wise functions and their backward ops, element by element in float64 (docs/language.md §3). */
final class ActivationInterp {

    private ActivationInterp() {}

    /** {@code Y} by the operation's {@link Activation#forwardExpr}. Input {@code X}; output {@code Y}. */
    static void forward(Activation op, Step step, Memory mem) {
        Expr f = op.forwardExpr();
        double[] x = mem.read(step.input(0));
        double[] y = mem.write(step.output());
        for (int e = 0; e < x.length; e++) {
            y[e] = f.eval(x[e], 0, 0);
        }
    }

    /** {@code ΔX} by {@link Activation#backwardExpr}. Inputs {@code ΔY} and {@code X} or {@code Y}; output {@code ΔX}. */
    static void backward(ActivationBf op, Step step, Memory mem) {
        Expr f = op.activation().backwardExpr();
        boolean readsY = op.activation().readsOutput();
        double[] dy = mem.read(step.input(0));
        double[] v = mem.read(step.input(1));
        double[] dx = mem.write(step.output());
        for (int e = 0; e < dy.length; e++) {
            dx[e] = readsY ? f.eval(0, v[e], dy[e]) : f.eval(v[e], 0, dy[e]);
        }
    }
}
