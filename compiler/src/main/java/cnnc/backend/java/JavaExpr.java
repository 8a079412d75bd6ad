package cnnc.backend.java;

import cnnc.ops.Expr;
import java.util.function.Function;

/**
 * Renders an element-wise {@link Expr} as Java: scalar code in float, or in double where it calls a
 * transcendental function ({@code Math.exp} and friends are double), rounded to float once at the
 * end; or as {@code jdk.incubator.vector} lane operations, for expressions without such calls.
 */
final class JavaExpr {

    private JavaExpr() {}

    /** Scalar Java of {@code e}, a float, with {@code ref} naming each variable's value. */
    static String scalar(Expr e, Function<Expr.Var, String> ref) {
        if (!e.transcendental()) {
            return e.infix(ref, JavaExpr::floatLiteral, JavaExpr::math, "0f");
        }
        String d = e.infix(ref, v -> Double.toString(v), JavaExpr::math, "0.0");
        boolean atom = e instanceof Expr.Call || e instanceof Expr.Ref || e instanceof Expr.Num;
        return "(float) " + (atom ? d : "(" + d + ")");
    }

    /**
     * An {@code int} that is all ones where {@code condition} holds and 0 elsewhere: C2 compiles an int
     * of a comparison without a branch, where it compiles a select on floats ({@code c ? a : b}) as a
     * branch around a move, which mispredicts on data whose comparisons are coin tosses.
     */
    static String mask(String condition) {
        return "-(" + condition + " ? 1 : 0)";
    }

    /**
     * The float {@code a} where {@code mask} ({@link #mask}) is all ones, else {@code b}, selected on
     * the bits without a branch; the same floats as {@code c ? a : b}, NaN and signed zeros included.
     * {@code b} null: +0f, whose bits are all zero.
     */
    static String select(String mask, String a, String b) {
        String otherwise = b == null ? "" : " | Float.floatToRawIntBits(" + b + ") & ~" + mask;
        return "Float.intBitsToFloat(Float.floatToRawIntBits(" + a + ") & " + mask + otherwise + ")";
    }

    /** {@code 0f}, {@code 1f}, {@code 0.01f}. */
    static String floatLiteral(double v) {
        float f = (float) v;
        return f == (long) f && Math.abs(f) < 1e15 ? (long) f + "f" : Float.toString(f) + "f";
    }

    private static String math(Expr.Func f) {
        return switch (f) {
            case EXP -> "Math.exp";
            case EXPM1 -> "Math.expm1";
            case TANH -> "Math.tanh";
        };
    }

    /**
     * The Vector API form of {@code e} over the lanes at {@code e} of the arrays {@code array} names,
     * lane for lane the same floats as {@link #scalar} (NaN included): a {@code >} test becomes a
     * lane mask and a blend. Only for expressions without transcendental calls.
     */
    static String vector(Expr e, Function<Expr.Var, String> array) {
        return switch (e) {
            case Expr.Ref r -> "FloatVector.fromArray(S, " + array.apply(r.var()) + ", e)";
            case Expr.Num n -> n.value() == 0 ? "FloatVector.zero(S)" : "FloatVector.broadcast(S, " + floatLiteral(n.value()) + ")";
            case Expr.Neg n -> vector(n.a(), array) + ".neg()";
            case Expr.Bin b -> vector(b.a(), array) + "." + switch (b.op()) {
                case ADD -> "add";
                case SUB -> "sub";
                case MUL -> "mul";
                case DIV -> "div";
            } + "(" + (b.b() instanceof Expr.Num n ? floatLiteral(n.value()) : vector(b.b(), array)) + ")";
            case Expr.Call c -> throw new IllegalArgumentException("no vector form of " + c.f());
            case Expr.Positive p -> vector(p.otherwise(), array) + ".blend(" + vector(p.then(), array) + ", "
                    + vector(p.test(), array) + ".compare(jdk.incubator.vector.VectorOperators.GT, 0f))";
        };
    }
}
