package cnnc.interp;

import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;

/** relu, sigmoid, tanh and their backward ops, element by element (docs/language.md §3). */
final class ActivationInterp {

    private ActivationInterp() {}

    /** {@code Y = max(0, X)}, {@code 1/(1+exp(-X))} or {@code tanh(X)}. Input {@code X}; output {@code Y}. */
    static void forward(Activation op, Step step, Memory mem) {
        double[] x = mem.read(step.input(0));
        double[] y = mem.write(step.output());
        for (int e = 0; e < x.length; e++) {
            y[e] = switch (op.fn()) {
                case RELU -> x[e] > 0 ? x[e] : 0;
                case SIGMOID -> 1 / (1 + Math.exp(-x[e]));
                case TANH -> Math.tanh(x[e]);
            };
        }
    }

    /**
     * relu: {@code ΔX = ΔY·[X > 0]} (relu'(0) = 0); sigmoid: {@code ΔX = ΔY·Y·(1-Y)}; tanh:
     * {@code ΔX = ΔY·(1-Y²)}. Inputs {@code ΔY} and {@code X} (relu) or {@code Y}; output {@code ΔX}.
     */
    static void backward(ActivationBf op, Step step, Memory mem) {
        double[] dy = mem.read(step.input(0));
        double[] v = mem.read(step.input(1));
        double[] dx = mem.write(step.output());
        for (int e = 0; e < dy.length; e++) {
            dx[e] = switch (op.fn()) {
                case RELU -> v[e] > 0 ? dy[e] : 0;
                case SIGMOID -> dy[e] * v[e] * (1 - v[e]);
                case TANH -> dy[e] * (1 - v[e] * v[e]);
            };
        }
    }
}
