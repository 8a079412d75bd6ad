package cnnc.ops;

import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.List;

/**
 * {@code relu(x)}, {@code sigmoid(x)}, {@code tanh(x)}: element-wise functions.
 *
 * <p>Forward: {@code Y = max(0, X)}, {@code Y = 1/(1+exp(-X))}, {@code Y = tanh(X)}.
 * <br>Backward: {@code ΔX = ΔY·[X > 0]} (relu'(0) = 0), {@code ΔX = ΔY·Y·(1-Y)}, {@code ΔX = ΔY·(1-Y²)}.
 */
public record Activation(Fn fn) implements ForwardOp {

    public enum Fn {
        RELU("relu", "Y = max(0, X)", "ΔX = ΔY · [X > 0]"),
        SIGMOID("sigmoid", "Y = 1 / (1 + exp(-X))", "ΔX = ΔY · Y · (1 - Y)"),
        TANH("tanh", "Y = tanh(X)", "ΔX = ΔY · (1 - Y²)");

        public final String word;
        public final String forward;
        public final String backward;

        Fn(String word, String forward, String backward) {
            this.word = word;
            this.forward = forward;
            this.backward = backward;
        }

        /** relu's derivative reads {@code X}; sigmoid's and tanh's read {@code Y}. */
        public boolean readsOutput() {
            return this != RELU;
        }
    }

    public static Signature signature(Fn fn) {
        return Signature.of(fn.word, 1);
    }

    @Override
    public Shape outShape(List<Shape> in) {
        return in.get(0);
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        if (!ctx.needs(step.input(0))) {
            return List.of();
        }
        var read = fn.readsOutput() ? step.output() : step.input(0);
        return List.of(ctx.step(new ActivationBf(fn), List.of(ctx.sensitivity(step.output()), read),
                List.of(ctx.contribution(step, 0)), step));
    }

    @Override
    public String mnemonic() {
        return fn.word;
    }

    @Override
    public String formula() {
        return fn.forward;
    }
}
