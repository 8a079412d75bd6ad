package cnnc.ops;

import static cnnc.ops.Expr.DY;
import static cnnc.ops.Expr.X;
import static cnnc.ops.Expr.Y;
import static cnnc.ops.Expr.num;

import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.List;

/**
 * The element-wise functions, each defined once here: its forward {@link Expr} of {@code X}, its
 * backward {@link Expr} of {@code ΔY} and {@code X} or {@code Y}, and where it has kinks. Every
 * backend renders these expressions and the interpreter evaluates them; nothing else knows the
 * formulas.
 *
 * <p>{@code relu(x)}: {@code Y = max(0, X)}, {@code ΔX = ΔY·[X > 0]} (relu'(0) = 0).
 * <br>{@code sigmoid(x)}: {@code Y = 1/(1+exp(-X))}, {@code ΔX = ΔY·Y·(1-Y)}.
 * <br>{@code tanh(x)}: {@code Y = tanh(X)}, {@code ΔX = ΔY·(1-Y²)}.
 *
 * @param a the function's parameter, 0 for those without one
 */
public record Activation(Fn fn, double a) implements ForwardOp {

    public enum Fn {
        RELU("relu", "Y = max(0, X)", "ΔX = ΔY · [X > 0]", 0),
        SIGMOID("sigmoid", "Y = 1 / (1 + exp(-X))", "ΔX = ΔY · Y · (1 - Y)"),
        TANH("tanh", "Y = tanh(X)", "ΔX = ΔY · (1 - Y²)");

        public final String word;
        public final String forward;
        public final String backward;
        /** Where the function or its derivative is not smooth (in {@code X}). */
        private final double[] kinks;

        Fn(String word, String forward, String backward, double... kinks) {
            this.word = word;
            this.forward = forward;
            this.backward = backward;
            this.kinks = kinks;
        }
    }

    public Activation(Fn fn) {
        this(fn, 0);
    }

    public static Signature signature(Fn fn) {
        return Signature.of(fn.word, 1);
    }

    /** {@code Y} of {@code X}. */
    public Expr forwardExpr() {
        return switch (fn) {
            case RELU -> Expr.positive(X, X, num(0));
            case SIGMOID -> num(1).over(num(1).plus(Expr.call(Expr.Func.EXP, X.negate())));
            case TANH -> Expr.call(Expr.Func.TANH, X);
        };
    }

    /** {@code ΔX} of {@code ΔY} and {@code X} or {@code Y} (never both). */
    public Expr backwardExpr() {
        return switch (fn) {
            case RELU -> Expr.positive(X, DY, num(0));
            case SIGMOID -> DY.times(Y).times(num(1).minus(Y));
            case TANH -> DY.times(num(1).minus(Y.times(Y)));
        };
    }

    /** Whether the derivative reads {@code Y} rather than {@code X}. */
    public boolean readsOutput() {
        return backwardExpr().uses(Expr.Var.Y) > 0;
    }

    /** Which smooth piece {@code x} lies on: how many kinks lie below it. Equal pieces, no kink between. */
    public int piece(double x) {
        int n = 0;
        for (double k : fn.kinks) {
            n += x > k ? 1 : 0;
        }
        return n;
    }

    /** Whether the function has kinks at all. */
    public boolean kinked() {
        return fn.kinks.length > 0;
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
        var read = readsOutput() ? step.output() : step.input(0);
        return List.of(ctx.step(new ActivationBf(this), List.of(ctx.sensitivity(step.output()), read),
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

    /** The text the graph hash reads: the record's, without the parameter of a function that has none. */
    @Override
    public String toString() {
        return "Activation[fn=" + fn + "]";
    }
}
