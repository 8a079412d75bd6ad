package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Pool;
import cnnc.ops.Taps;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;

/**
 * maxpool, avgpool and their backward steps, one chunk per sample. Max pooling unrolls windows of
 * up to {@link #UNROLL} cells with literal offsets; a bounds test is emitted only for cells that a
 * {@code ceil} window can push past the input. In Vector API classes it takes 8 outputs at a time
 * where no window leaves the input and a window has at most {@link #VECTOR_CELLS} cells ({@link #vectorMax}). Backward steps scatter within one sample's maps, so
 * overlapping windows accumulate in a fixed order on one thread.
 */
final class PoolEmitter {

    static final int UNROLL = 25;

    /**
     * Most window cells of the Vector API kernel ({@link #vectorMax}). A 4x4 window's 15 gathers,
     * compares, casts and blends, inlined with the other phases of a by-sample run, left some Vector
     * API calls out of line in some JVMs (C2's inlining budget), and their vectors were boxed:
     * WinogradTest's training steps allocated 2-4 MB in 2 runs of 3. Larger windows take the scalar code.
     */
    static final int VECTOR_CELLS = 9;

    /** Max pooling's paths, 8 at a time ({@link #vectorMax}). */
    static final ClassName INT_VECTOR = ClassName.get("jdk.incubator.vector", "IntVector");

    private PoolEmitter() {}

    private static String header(Code c, Shape x, Shape y) {
        c.line("int t = chunk");
        c.open("for (int c = 0; c < " + x.c() + "; c++)")
                .line("int xo = (t * " + x.c() + " + c) * " + (x.h() * x.w()))
                .line("int yo = (t * " + x.c() + " + c) * " + (y.h() * y.w()));
        return "";
    }

    static void forward(StepCtx s, Pool op) {
        Shape x = s.inBuf(0).shape();
        Shape y = s.outBuf(0).shape();
        int H = x.h(), W = x.w(), Ho = y.h(), Wo = y.w(), P = op.p(), Q = op.q();
        boolean rowsSpill = Taps.spills(Ho, H, op.sh(), P);
        boolean colsSpill = Taps.spills(Wo, W, op.sw(), Q);
        if (!op.max()) {
            s.mainBySample(x.n(), y.size() * P * Q, "one sample each", avgForward(s, op, x, y));
            return;
        }
        if (s.vector && P * Q <= VECTOR_CELLS && !rowsSpill && !colsSpill && Ho * Wo >= VectorConvEmitter.VL) {
            s.mainBySample(x.n(), y.size() * P * Q, "one sample each, " + VectorConvEmitter.VL + " outputs at a time", vectorMax(s, op, x, y));
            return;
        }
        Code c = new Code();
        header(c, x, y);
        if (s.inference) {
            c.comment("inference: no path tensor (nothing propagates back)");
        }
        c.open("for (int i = 0; i < " + Ho + "; i++)").open("for (int j = 0; j < " + Wo + "; j++)");
        c.line("int at = " + ConvEmitter.times("i", op.sh()) + " * " + W + " + " + ConvEmitter.times("j", op.sw()));
        String out = "yo + i * " + Wo + " + j";
        {
            c.line("float m = " + s.in(0) + "[xo + at]");
            if (!s.inference || P * Q > UNROLL) {
                c.line("int arg = at");
            }
            if (P * Q <= UNROLL) {
                c.comment("window cells in row-major order; the first maximum wins (strict >), without branches: which cell is");
                c.comment("larger is a coin toss on real data, and C2 compiles a select on floats (g ? v : m) as a branch, so the");
                c.comment("selects are masks on the bits (s: all ones where v > m; a NaN never wins nor loses its place)");
                c.line("float v").line("int s");
                for (int a = 0; a < P; a++) {
                    for (int b = 0; b < Q; b++) {
                        if (a == 0 && b == 0) {
                            continue;
                        }
                        String cond = "";
                        if (rowsSpill && a > 0) {
                            cond = ConvEmitter.times("i", op.sh()) + " + " + a + " < " + H;
                        }
                        if (colsSpill && b > 0) {
                            cond += (cond.isEmpty() ? "" : " && ") + ConvEmitter.times("j", op.sw()) + " + " + b + " < " + W;
                        }
                        String pos = "at + " + (a * W + b);
                        if (!cond.isEmpty()) {
                            c.open("if (" + cond + ")");
                        }
                        c.line("v = " + s.in(0) + "[xo + " + pos + "]");
                        c.line("s = " + JavaExpr.mask("v > m")).line("m = " + JavaExpr.select("s", "v", "m"));
                        if (!s.inference) {
                            c.line("arg = (" + pos + ") & s | arg & ~s");
                        }
                        if (!cond.isEmpty()) {
                            c.close();
                        }
                    }
                }
            } else {
                c.line("int a1 = Math.min(" + P + ", " + H + " - " + ConvEmitter.times("i", op.sh()) + ")")
                        .line("int b1 = Math.min(" + Q + ", " + W + " - " + ConvEmitter.times("j", op.sw()) + ")");
                c.open("for (int a = 0; a < a1; a++)").open("for (int b = 0; b < b1; b++)")
                        .line("int pos = at + a * " + W + " + b")
                        .line("float v = " + s.in(0) + "[xo + pos]")
                        .open("if (v > m)").line("m = v").line("arg = pos").close()
                        .close().close();
            }
            c.line(s.out(0) + "[" + out + "] = m");
            if (!s.inference) {
                c.line(s.out(1) + "[" + out + "] = arg");
            }
        }
        c.close().close().close();
        s.mainBySample(x.n(), y.size() * P * Q, "one sample each", c.build());
    }

    /**
     * Max pooling on the Vector API, {@code VL} outputs of a plane at a time, in flat order: lane
     * {@code l} of block {@code o} is output {@code o + l}, whose window's first cell lies at
     * {@code cells[o + l]} in the input plane, so each window cell is one gather at a literal offset
     * from it, whatever the row length. The cells go in row-major order with the scalar code's rule
     * (a lane takes cell v when v > m: the first maximum wins, a NaN never replaces nor is replaced),
     * so values and paths are the scalar code's, bit for bit; a blend instead of a branch per cell,
     * where the scalar code's data-dependent selects cost a mispredicted branch every other cell. The
     * last block of a plane starts at {@code HoWo - VL}, recomputing a few outputs with the same values.
     */
    private static CodeBlock vectorMax(StepCtx s, Pool op, Shape x, Shape y) {
        int W = x.w(), Wo = y.w(), plane = y.h() * Wo, VL = VectorConvEmitter.VL;
        String cells = s.intTable("cells", plane, "maxpool '" + s.step.node() + "': the input offset of each output's window, (o / "
                + Wo + ")·" + op.sh() + "·" + W + " + (o % " + Wo + ")·" + op.sw() + ", for the gathers",
                new Code().one("for (int o = 0; o < " + plane + "; o++) v[o] = (o / " + Wo + ") * " + (op.sh() * W) + " + (o % " + Wo + ") * " + op.sw()).build());
        String ints = "IntVector.SPECIES_256";
        Code c = new Code();
        header(c, x, y);
        if (s.inference) {
            c.comment("inference: no path tensor (nothing propagates back)");
        }
        c.open("for (int b = 0; b < " + plane + "; b += " + VL + ")");
        c.line("int o = Math.min(b, " + (plane - VL) + ")");
        c.line("FloatVector m = FloatVector.fromArray(S, " + s.in(0) + ", xo, " + cells + ", o)");
        if (!s.inference) {
            c.fmt("$T at = $T.fromArray(" + ints + ", " + cells + ", o)", INT_VECTOR, INT_VECTOR).line("IntVector arg = at");
        }
        c.comment("the comparison is written twice, not held in a local: C2 knows a mask's class only at the call that makes it");
        c.line("FloatVector v");
        for (int a = 0; a < op.p(); a++) {
            for (int b = 0; b < op.q(); b++) {
                if (a == 0 && b == 0) {
                    continue;
                }
                int off = a * W + b;
                c.line("v = FloatVector.fromArray(S, " + s.in(0) + ", xo + " + off + ", " + cells + ", o)");
                if (!s.inference) {
                    c.line("arg = arg.blend(at.add(" + off + "), v.compare(jdk.incubator.vector.VectorOperators.GT, m).cast(" + ints + "))");
                }
                c.line("m = m.blend(v, v.compare(jdk.incubator.vector.VectorOperators.GT, m))");
            }
        }
        c.line("m.intoArray(" + s.out(0) + ", yo + o)");
        if (!s.inference) {
            c.line("arg.intoArray(" + s.out(1) + ", yo + o)");
        }
        c.close().close();
        return c.build();
    }

    /** {@code a1, b1}: the window's in-range rows and columns (literals unless ceil windows spill). */
    private static void window(Code c, Pool op, int H, int W, boolean rowsSpill, boolean colsSpill) {
        c.line("int a1 = " + (rowsSpill ? "Math.min(" + op.p() + ", " + H + " - " + ConvEmitter.times("i", op.sh()) + ")" : op.p()));
        c.line("int b1 = " + (colsSpill ? "Math.min(" + op.q() + ", " + W + " - " + ConvEmitter.times("j", op.sw()) + ")" : op.q()));
    }

    private static CodeBlock avgForward(StepCtx s, Pool op, Shape x, Shape y) {
        int H = x.h(), W = x.w(), Ho = y.h(), Wo = y.w();
        Code c = new Code();
        header(c, x, y);
        c.open("for (int i = 0; i < " + Ho + "; i++)").open("for (int j = 0; j < " + Wo + "; j++)");
        c.line("int at = " + ConvEmitter.times("i", op.sh()) + " * " + W + " + " + ConvEmitter.times("j", op.sw()));
        window(c, op, H, W, Taps.spills(Ho, H, op.sh(), op.p()), Taps.spills(Wo, W, op.sw(), op.q()));
        c.line("float sum = 0f");
        c.open("for (int a = 0; a < a1; a++)")
                .one("for (int b = 0; b < b1; b++) sum += " + s.in(0) + "[xo + at + a * " + W + " + b]").close();
        c.line(s.out(0) + "[yo + i * " + Wo + " + j] = sum / (a1 * b1)");
        c.close().close().close();
        return c.build();
    }

    static void maxBackward(StepCtx s, MaxPoolBf bf) {
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        Code c = new Code();
        header(c, dx, dy);
        c.loop("e", 0, (long) dx.h() * dx.w(), s.out(0) + "[xo + e] = 0f");
        c.loop("o", 0, (long) dy.h() * dy.w(), s.out(0) + "[xo + " + s.in(1) + "[yo + o]] += " + s.in(0) + "[yo + o]");
        c.close();
        s.mainBySample(dx.n(), dy.size() + dx.size(), "one sample each: its maps are scattered on one thread, in output order", c.build());
    }

    static void avgBackward(StepCtx s, AvgPoolBf bf) {
        Pool op = bf.pool();
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int H = dx.h(), W = dx.w(), Ho = dy.h(), Wo = dy.w();
        Code c = new Code();
        header(c, dx, dy);
        c.loop("e", 0, (long) H * W, s.out(0) + "[xo + e] = 0f");
        c.open("for (int i = 0; i < " + Ho + "; i++)").open("for (int j = 0; j < " + Wo + "; j++)");
        c.line("int at = " + ConvEmitter.times("i", op.sh()) + " * " + W + " + " + ConvEmitter.times("j", op.sw()));
        window(c, op, H, W, Taps.spills(Ho, H, op.sh(), op.p()), Taps.spills(Wo, W, op.sw(), op.q()));
        c.line("float g = " + s.in(0) + "[yo + i * " + Wo + " + j] / (a1 * b1)");
        c.open("for (int a = 0; a < a1; a++)")
                .one("for (int b = 0; b < b1; b++) " + s.out(0) + "[xo + at + a * " + W + " + b] += g").close();
        c.close().close().close();
        s.mainBySample(dx.n(), dy.size() * op.p() * op.q(), "one sample each: its maps are scattered on one thread, in output order", c.build());
    }
}
