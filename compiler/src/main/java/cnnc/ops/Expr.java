package cnnc.ops;

import java.util.function.Function;

/**
 * A scalar expression of one element: what an element-wise operation computes, forward (of
 * {@code X}) and backward (of {@code ΔY} and {@code X} or {@code Y}). The operation defines it once
 * ({@link Activation}); the backends render it (Java, the Vector API, OpenCL C) and the
 * interpreter and the gradient check evaluate it in float64 ({@link #eval}).
 */
public sealed interface Expr {

    /** The values an element-wise expression reads: the input, the output, the output's sensitivity. */
    enum Var { X, Y, DY }

    /** A variable. */
    record Ref(Var var) implements Expr {}

    /** A constant. */
    record Num(double value) implements Expr {}

    /** {@code -a}. */
    record Neg(Expr a) implements Expr {}

    /** {@code a op b}. */
    record Bin(BinOp op, Expr a, Expr b) implements Expr {}

    /** {@code f(a)}. */
    record Call(Func f, Expr a) implements Expr {}

    /** {@code test > 0 ? then : otherwise}: a piecewise definition, with a kink where {@code test} is 0. */
    record Positive(Expr test, Expr then, Expr otherwise) implements Expr {}

    enum BinOp {
        ADD("+", 1), SUB("-", 1), MUL("*", 2), DIV("/", 2);

        public final String symbol;
        /** Binding strength: products bind tighter than sums. */
        public final int precedence;

        BinOp(String symbol, int precedence) {
            this.symbol = symbol;
            this.precedence = precedence;
        }
    }

    /** Transcendental functions: Java computes them in double ({@code Math}), OpenCL C in float. */
    enum Func { EXP, EXPM1, TANH }

    Expr X = new Ref(Var.X);
    Expr Y = new Ref(Var.Y);
    Expr DY = new Ref(Var.DY);

    static Expr num(double v) {
        return new Num(v);
    }

    static Expr call(Func f, Expr a) {
        return new Call(f, a);
    }

    static Expr positive(Expr test, Expr then, Expr otherwise) {
        return new Positive(test, then, otherwise);
    }

    default Expr plus(Expr b) {
        return new Bin(BinOp.ADD, this, b);
    }

    default Expr minus(Expr b) {
        return new Bin(BinOp.SUB, this, b);
    }

    default Expr times(Expr b) {
        return new Bin(BinOp.MUL, this, b);
    }

    default Expr over(Expr b) {
        return new Bin(BinOp.DIV, this, b);
    }

    default Expr negate() {
        return new Neg(this);
    }

    /** The value in float64, {@code x}, {@code y} and {@code dy} standing for the variables. */
    default double eval(double x, double y, double dy) {
        return switch (this) {
            case Ref r -> switch (r.var()) {
                case X -> x;
                case Y -> y;
                case DY -> dy;
            };
            case Num n -> n.value();
            case Neg n -> -n.a().eval(x, y, dy);
            case Bin b -> {
                double l = b.a().eval(x, y, dy);
                double r = b.b().eval(x, y, dy);
                yield switch (b.op()) {
                    case ADD -> l + r;
                    case SUB -> l - r;
                    case MUL -> l * r;
                    case DIV -> l / r;
                };
            }
            case Call c -> {
                double a = c.a().eval(x, y, dy);
                yield switch (c.f()) {
                    case EXP -> Math.exp(a);
                    case EXPM1 -> Math.expm1(a);
                    case TANH -> Math.tanh(a);
                };
            }
            case Positive p -> p.test().eval(x, y, dy) > 0 ? p.then().eval(x, y, dy) : p.otherwise().eval(x, y, dy);
        };
    }

    /** How many times {@code v} is read. */
    default int uses(Var v) {
        return switch (this) {
            case Ref r -> r.var() == v ? 1 : 0;
            case Num n -> 0;
            case Neg n -> n.a().uses(v);
            case Bin b -> b.a().uses(v) + b.b().uses(v);
            case Call c -> c.a().uses(v);
            case Positive p -> p.test().uses(v) + p.then().uses(v) + p.otherwise().uses(v);
        };
    }

    /** Whether it is defined piecewise (holds a {@link Positive}). */
    default boolean piecewise() {
        return switch (this) {
            case Ref r -> false;
            case Num n -> false;
            case Neg n -> n.a().piecewise();
            case Bin b -> b.a().piecewise() || b.b().piecewise();
            case Call c -> c.a().piecewise();
            case Positive p -> true;
        };
    }

    /** Whether it calls a transcendental function (then Java computes it in double). */
    default boolean transcendental() {
        return switch (this) {
            case Ref r -> false;
            case Num n -> false;
            case Neg n -> n.a().transcendental();
            case Bin b -> b.a().transcendental() || b.b().transcendental();
            case Call c -> true;
            case Positive p -> p.test().transcendental() || p.then().transcendental() || p.otherwise().transcendental();
        };
    }

    /**
     * Infix text with as few parentheses as keep the evaluation order (a right operand of equal
     * precedence keeps its parentheses: float arithmetic is not associative). {@code ref} names
     * variables, {@code num} writes constants, {@code fn} names functions, {@code zero} is the
     * constant a {@link Positive} test is compared with.
     */
    default String infix(Function<Var, String> ref, Function<Double, String> num, Function<Func, String> fn, String zero) {
        return Infix.render(this, 0, ref, num, fn, zero);
    }

    /** The rendering behind {@link #infix}. */
    final class Infix {
        private Infix() {}

        private static int precedence(Expr e) {
            return switch (e) {
                case Positive p -> 0;
                case Bin b -> b.op().precedence;
                case Neg n -> 3;
                default -> 4;
            };
        }

        static String render(Expr e, int context, Function<Var, String> ref, Function<Double, String> num,
                             Function<Func, String> fn, String zero) {
            String s = switch (e) {
                case Ref r -> ref.apply(r.var());
                case Num n -> num.apply(n.value());
                case Neg n -> "-" + render(n.a(), 3, ref, num, fn, zero);
                case Bin b -> render(b.a(), b.op().precedence, ref, num, fn, zero) + " " + b.op().symbol + " "
                        + render(b.b(), b.op().precedence + 1, ref, num, fn, zero);
                case Call c -> fn.apply(c.f()) + "(" + render(c.a(), 0, ref, num, fn, zero) + ")";
                case Positive p -> render(p.test(), 2, ref, num, fn, zero) + " > " + zero + " ? "
                        + render(p.then(), 1, ref, num, fn, zero) + " : " + render(p.otherwise(), 1, ref, num, fn, zero);
            };
            return precedence(e) < context ? "(" + s + ")" : s;
        }
    }
}
