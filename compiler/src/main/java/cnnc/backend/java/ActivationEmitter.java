package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import cnnc.ops.Expr;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The element-wise functions and their backward steps: loops over one sample's elements computing
 * the operation's {@link Expr} ({@link JavaExpr}), one chunk per sample.
 */
final class ActivationEmitter {

    private ActivationEmitter() {}

    /** Opens {@code for (int e ...)} over sample {@code chunk}'s elements of a tensor of shape {@code x}. */
    static Code perSample(Shape x) {
        long n = x.perSample();
        return new Code().line("int lo = chunk * " + n).open("for (int e = lo; e < lo + " + n + "; e++)");
    }

    static void forward(StepCtx s, Activation op) {
        Map<Expr.Var, String> arrays = new EnumMap<>(Expr.Var.class);
        arrays.put(Expr.Var.X, s.in(0));
        emit(s, op.forwardExpr(), arrays, s.inBuf(0).shape());
    }

    static void backward(StepCtx s, ActivationBf bf) {
        Map<Expr.Var, String> arrays = new EnumMap<>(Expr.Var.class);
        arrays.put(Expr.Var.DY, s.in(0));
        arrays.put(bf.activation().readsOutput() ? Expr.Var.Y : Expr.Var.X, s.in(1));
        emit(s, bf.activation().backwardExpr(), arrays, s.outBuf(0).shape());
    }

    /** The local a variable read more than once is loaded into: {@code v} (X), {@code y}, {@code dy}. */
    private static String local(Expr.Var v) {
        return switch (v) {
            case X -> "v";
            case Y -> "y";
            case DY -> "dy";
        };
    }

    private static void emit(StepCtx s, Expr e, Map<Expr.Var, String> arrays, Shape x) {
        if (s.vector && !e.transcendental() && e.piecewise()) {
            vector(s, e, arrays, x);
            return;
        }
        Code c = perSample(x);
        for (Expr.Var v : Expr.Var.values()) {
            if (e.uses(v) > 1) {
                c.line("float " + local(v) + " = " + arrays.get(v) + "[e]");
            }
        }
        Function<Expr.Var, String> ref = v -> e.uses(v) > 1 ? local(v) : arrays.get(v) + "[e]";
        if (e instanceof Expr.Positive p && !e.transcendental()) {
            c.comment("the select as masks on the bits: C2 compiles a select on floats (t > 0f ? a : b) as a branch, and on");
            c.comment("real data its sign is a coin toss (s: all ones where t > 0f; a NaN test takes b, as the select would)");
            c.line("int s = " + JavaExpr.mask(JavaExpr.scalar(p.test(), ref) + " > 0f"));
            boolean plusZero = p.otherwise() instanceof Expr.Num n && Float.floatToRawIntBits((float) n.value()) == 0;
            c.line(s.out(0) + "[e] = " + JavaExpr.select("s", JavaExpr.scalar(p.then(), ref), plusZero ? null : JavaExpr.scalar(p.otherwise(), ref)));
        } else {
            c.line(s.out(0) + "[e] = " + JavaExpr.scalar(e, ref));
        }
        c.close();
        s.mainBySample(x.n(), x.size(), "one sample each", c.build());
    }

    /**
     * On {@code jdk.incubator.vector}: C2 vectorizes a loop of plain arithmetic itself, but not the
     * select of a piecewise function ({@code v > 0f ? a : 0f}); a lane mask and a blend do the same,
     * lane for lane. The elements past the last full vector run scalar.
     */
    private static void vector(StepCtx s, Expr e, Map<Expr.Var, String> arrays, Shape x) {
        long n = x.perSample();
        long nv = n / VectorConvEmitter.VL * VectorConvEmitter.VL;
        Code c = new Code().line("int lo = chunk * " + n);
        c.one("for (int e = lo; e < lo + " + nv + "; e += " + VectorConvEmitter.VL + ") " + JavaExpr.vector(e, arrays::get)
                + ".intoArray(" + s.out(0) + ", e)");
        if (nv < n) {
            c.one("for (int e = lo + " + nv + "; e < lo + " + n + "; e++) " + s.out(0) + "[e] = "
                    + JavaExpr.scalar(e, v -> arrays.get(v) + "[e]"));
        }
        s.mainBySample(x.n(), x.size(), "one sample each", c.build());
    }
}
