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
 * <p>{@code relu(x)}: {@code Y = max(0, X)}, {@code ΔX = ΔY·[Y > 0]} (relu'(0) = 0). From {@code Y}, as
 * PyTorch does: {@code Y > 0} exactly where {@code X > 0} (NaN and -0 give 0 and fail both), and
 * then the relu's input is read by the forward pass alone, so a conv's or bn's output feeding a
 * relu needs no memory of its own through the backward pass (docs/performance.md, stop 22).
 * <br>{@code sigmoid(x)}: {@code Y = 1/(1+exp(-X))}, {@code ΔX = ΔY·Y·(1-Y)}.
 * <br>{@code tanh(x)}: {@code Y = tanh(X)}, {@code ΔX = ΔY·(1-Y²)}.
 * <br>{@code leaky_relu(x, slope: 0.01)}: {@code Y = X > 0 ? X : slope·X}, {@code ΔX = ΔY·(X > 0 ? 1 : slope)}.
 * <br>{@code elu(x, alpha: 1)}: {@code Y = X > 0 ? X : α·(exp(X) - 1)}, {@code ΔX = ΔY·(Y > 0 ? 1 : Y + α)}
 * (from {@code Y}, as PyTorch does; {@code Y > 0} exactly where {@code X > 0} since {@code α >= 0}).
 *
 * @param a the function's parameter, 0 for those without one
 */
public record Activation(Fn fn, double a) implements ForwardOp {

    public enum Fn {
        RELU("relu", null, 0, "Y = max(0, X)", "ΔX = ΔY · [Y > 0]", 0),
        SIGMOID("sigmoid", null, 0, "Y = 1 / (1 + exp(-X))", "ΔX = ΔY · Y · (1 - Y)"),
        TANH("tanh", null, 0, "Y = tanh(X)", "ΔX = ΔY · (1 - Y²)"),
        LEAKY_RELU("leaky_relu", "slope", 0.01, "Y = X > 0 ? X : $a·X", "ΔX = ΔY · (X > 0 ? 1 : $a)", 0),
        ELU("elu", "alpha", 1, "Y = X > 0 ? X : $a·(exp(X) - 1)", "ΔX = ΔY · (Y > 0 ? 1 : Y + $a)", 0);

        public final String word;
        /** The name of its parameter ({@code slope}, {@code alpha}), or null. */
        public final String param;
        /** The parameter's default. */
        public final double dflt;
        /** The formulas, {@code $a} standing for the parameter's value. */
        public final String forward;
        public final String backward;
        /** Where the function or its derivative is not smooth (in {@code X}). */
        private final double[] kinks;

        Fn(String word, String param, double dflt, String forward, String backward, double... kinks) {
            this.word = word;
            this.param = param;
            this.dflt = dflt;
            this.forward = forward;
            this.backward = backward;
            this.kinks = kinks;
        }
    }

    public Activation(Fn fn) {
        this(fn, fn.dflt);
    }

    public static Signature signature(Fn fn) {
        return fn.param == null ? Signature.of(fn.word, 1) : Signature.of(fn.word, 1, Param.number(fn.param, fn.dflt));
    }

    /** Checks a use and builds it, or reports why not and returns null. */
    public static Activation define(Call c, Fn fn) {
        if (fn.param == null) {
            return new Activation(fn, 0);
        }
        double a = c.number(fn.param);
        if (fn == Fn.ELU && !(a >= 0)) {
            c.error(c.pos(fn.param), "elu '" + c.node() + "': alpha must not be negative, found " + c.pos(fn.param).text(),
                    "a number of at least 0, like 1");
            return null;
        }
        return new Activation(fn, a);
    }

    /** {@code Y} of {@code X}. */
    public Expr forwardExpr() {
        return switch (fn) {
            case RELU -> Expr.positive(X, X, num(0));
            case SIGMOID -> num(1).over(num(1).plus(Expr.call(Expr.Func.EXP, X.negate())));
            case TANH -> Expr.call(Expr.Func.TANH, X);
            case LEAKY_RELU -> Expr.positive(X, X, num(a).times(X));
            case ELU -> Expr.positive(X, X, num(a).times(Expr.call(Expr.Func.EXPM1, X)));
        };
    }

    /** {@code ΔX} of {@code ΔY} and {@code X} or {@code Y} (never both). */
    public Expr backwardExpr() {
        return switch (fn) {
            case RELU -> Expr.positive(Y, DY, num(0));
            case SIGMOID -> DY.times(Y).times(num(1).minus(Y));
            case TANH -> DY.times(num(1).minus(Y.times(Y)));
            case LEAKY_RELU -> Expr.positive(X, DY, DY.times(num(a)));
            case ELU -> Expr.positive(Y, DY, DY.times(Y.plus(num(a))));
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
        return withParameter(fn.forward);
    }

    /** The backward formula, with the parameter's value. */
    public String backwardFormula() {
        return withParameter(fn.backward);
    }

    private String withParameter(String formula) {
        return formula.replace("$a", String.valueOf(a));
    }

    @Override
    public String detail(Step step) {
        return fn.param == null ? "" : fn.param + " " + a;
    }

    /** The text the graph hash reads: the record's, without the parameter of a function that has none. */
    @Override
    public String toString() {
        return "Activation[fn=" + fn + (fn.param == null ? "" : ", " + fn.param + "=" + a) + "]";
    }
}
