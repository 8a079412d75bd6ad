package cnnc.backend.java;

import cnnc.ir.Lowering;
import cnnc.ir.Shape;
import cnnc.ops.BatchNorm;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * bn, bn_bf and bn_grad, one chunk per channel {@code c}. A statistic {@code s} is one element
 * {@code (c,i,j)} over {@code t} (per element) or one channel over {@code (t,i,j)} (per channel); a
 * chunk owns the statistics of its channel, so no sum crosses threads. Sums run in double.
 *
 * <p>A per-channel sum runs in {@link #LANES} accumulators: value {@code j} of a sample's plane goes
 * to accumulator {@code j mod LANES}, and the accumulators fold in a fixed tree. One accumulator
 * would wait four cycles on every addition (the latency of a double add), which made bn's sums most
 * of its time; eight keep both adders busy. The order depends only on the shape: the same bits on
 * any thread count, and on the plain-Java and the Vector API paths alike: with the Vector API the
 * eight accumulators are the lanes of two {@code DoubleVector}s (8 floats loaded, each half widened to 4
 * doubles by {@code convertShape(F2D, D4, part)}, lane k from float {@code 4·part + k}), which add the same
 * values in the same order, twice as fast as the scalar code (whose float-to-double conversions and
 * additions C2 leaves scalar).
 *
 * <p>Forward step inputs: {@code X, γ, β, running_mean, running_var}; outputs {@code Y, μ, invstd}.
 */
final class BnEmitter {

    private BnEmitter() {}

    /** Emits {@code for (s)} (opened) over channel c's statistics. */
    private static void openStats(Code c, BatchNorm bn, Shape x) {
        int hw = x.h() * x.w();
        c.line("int c = chunk");
        if (bn.perChannel()) {
            c.line("int s = c");
            c.open("");
        } else {
            c.open("for (int s = c * " + hw + "; s < c * " + hw + " + " + hw + "; s++)");
        }
    }

    /** Accumulators of a per-channel sum: one a value of a plane's {@code LANES} consecutive ones. */
    static final int LANES = 8;

    /**
     * Emits the sums {@code names} over channel c's values as double accumulators {@code name0..}
     * (per channel: {@link #LANES} of them, then folded into {@code double name}; per element: one,
     * {@code name} itself). {@code body.apply(index, lane)} gives the statements that add value
     * {@code index} to the accumulators of {@code lane} (suffix {@code lane}, or "" per element).
     */
    private static void sums(Code c, BatchNorm bn, Shape x, List<String> names, BiFunction<String, String, List<String>> body) {
        sums(c, bn, x, names, body, null);
    }

    /**
     * {@link #sums} where {@code vbody} (not null: {@link #wides} holds) gives the vector form of {@code body}:
     * {@code vbody.apply(index)} loads values {@code index .. index+7} once and adds {@code index .. index+3}
     * to {@code nameA} (accumulators 0-3) and {@code index+4 .. index+7} to {@code nameB} (4-7), each lane as
     * {@code body} adds to its scalar accumulator; a plane's last {@code hw mod 8} values go to the first
     * lanes one at a time, by {@code body} itself. The same additions in the same order: the same bits as
     * the scalar sums.
     */
    private static void sums(Code c, BatchNorm bn, Shape x, List<String> names, BiFunction<String, String, List<String>> body,
                             Function<String, List<String>> vbody) {
        if (vbody != null) {
            wideSums(c, x, names, body, vbody);
            return;
        }
        if (!bn.perChannel()) {
            for (String name : names) {
                c.line("double " + name + " = 0");
            }
            openValues(c, bn, x);
            body.apply("e", "").forEach(c::line);
            c.close().close();
            return;
        }
        int hw = x.h() * x.w();
        int lanes = Math.min(LANES, hw);
        int whole = hw - hw % lanes;
        for (String name : names) {
            List<String> acc = new ArrayList<>();
            for (int k = 0; k < lanes; k++) {
                acc.add(name + k + " = 0");
            }
            c.line("double " + String.join(", ", acc));
        }
        c.open("for (int t = 0; t < " + x.n() + "; t++)");
        c.line("int p = t * " + x.perSample() + " + c * " + hw);
        c.open("for (int e = p; e < p + " + whole + "; e += " + lanes + ")");
        for (int k = 0; k < lanes; k++) {
            body.apply(k == 0 ? "e" : "e + " + k, Integer.toString(k)).forEach(c::line);
        }
        c.close();
        for (int j = whole; j < hw; j++) {
            body.apply("p + " + j, Integer.toString(j - whole)).forEach(c::line);
        }
        c.close();
        for (String name : names) {
            c.line("double " + name + " = " + fold(name, 0, lanes));
        }
    }

    /** {@code name_lo + ... + name_(hi-1)} as a balanced tree of additions, halves first. */
    private static String fold(String name, int lo, int hi) {
        if (hi - lo == 1) {
            return name + lo;
        }
        int mid = lo + (hi - lo + 1) / 2;
        String a = fold(name, lo, mid), b = fold(name, mid, hi);
        return (mid - lo > 1 ? "(" + a + ")" : a) + " + " + (hi - mid > 1 ? "(" + b + ")" : b);
    }

    /**
     * The 8 floats {@code a[o .. o+7]} as one vector. bn's vector sums stay inline in the kernel, in
     * {@code S}'s and {@code D4}'s shapes, with no mask: a helper taking a vector (a {@code wide(v)} until
     * stop 17) is a call C2 may leave out of line in a large method, and a vector passed to it is boxed;
     * a second {@code FloatVector} shape or masks of two shapes teach the JDK's shared Vector API methods
     * a second receiver class, after which C2 compiles later kernels with boxes (docs/performance.md,
     * "Stop 18").
     */
    private static String load8(String a, String o) {
        return "FloatVector.fromArray(S, " + a + ", " + o + ")";
    }

    /** Half {@code part} (0: lanes 0-3, 1: lanes 4-7) of the 8 {@code floats} as doubles, lane k from float {@code 4·part + k}, as {@code (double)} widens each. */
    private static String wide(String floats, int part) {
        return "((DoubleVector) " + floats + ".convertShape(F2D, D4, " + part + "))";
    }

    /** {@code acc + term} in half {@code part} of the accumulators ({@code accA}: 0-3, {@code accB}: 4-7). */
    private static String add(String acc, int part, String term) {
        String v = acc + (part == 0 ? "A" : "B");
        return v + " = " + v + ".add(" + term + ")";
    }

    /**
     * {@link #sums} per channel (at least {@link #LANES} values a plane) on two {@code DoubleVector}s of 4
     * lanes; a plane's last {@code hw mod 8} values lane by lane ({@code lane}, {@code withLane}), with
     * {@code body}, the scalar code's own additions.
     */
    private static void wideSums(Code c, Shape x, List<String> names, BiFunction<String, String, List<String>> body,
                                 Function<String, List<String>> vbody) {
        int hw = x.h() * x.w();
        int whole = hw - hw % LANES, tail = hw % LANES, half = LANES / 2;
        c.comment("value j of a plane goes to accumulator j mod 8: lanes 0-3 of " + String.join(", ", names.stream().map(n -> n + "A").toList())
                + ", lanes 4-7 of " + String.join(", ", names.stream().map(n -> n + "B").toList()));
        for (String name : names) {
            c.line("DoubleVector " + name + "A = DoubleVector.zero(D4), " + name + "B = DoubleVector.zero(D4)");
        }
        c.open("for (int t = 0; t < " + x.n() + "; t++)");
        c.line("int p = t * " + x.perSample() + " + c * " + hw);
        c.open("for (int e = p; e < p + " + whole + "; e += " + LANES + ")");
        vbody.apply("e").forEach(c::line);
        c.close();
        if (tail > 0) {
            c.comment("the plane's last " + tail + " value" + (tail == 1 ? "" : "s") + " (" + hw + " = " + whole / LANES + "·8 + " + tail
                    + ") into accumulator" + (tail == 1 ? " 0" : "s 0-" + (tail - 1)) + ", a lane at a time");
            for (String name : names) {
                List<String> lanes = new ArrayList<>();
                for (int k = 0; k < tail; k++) {
                    lanes.add(name + k + " = " + lane(name, k, half) + ".lane(" + k % half + ")");
                }
                c.line("double " + String.join(", ", lanes));
            }
            for (int k = 0; k < tail; k++) {
                body.apply("p + " + (whole + k), Integer.toString(k)).forEach(c::line);
            }
            for (String name : names) {
                for (int k = 0; k < tail; k++) {
                    String v = lane(name, k, half);
                    c.line(v + " = " + v + ".withLane(" + k % half + ", " + name + k + ")");
                }
            }
        }
        c.close();
        for (String name : names) {
            for (String h : List.of("A", "B")) {
                List<String> lanes = new ArrayList<>();
                for (int k = 0; k < half; k++) {
                    lanes.add(name + (h.equals("A") ? k : half + k) + " = " + name + h + ".lane(" + k + ")");
                }
                c.line("double " + String.join(", ", lanes));
            }
            c.line("double " + name + " = " + fold(name, 0, LANES));
        }
    }

    /** The vector holding accumulator {@code k} of {@code name}. */
    private static String lane(String name, int k, int half) {
        return name + (k < half ? "A" : "B");
    }

    /** Opens the loops over the values of statistic {@code s}, binding {@code int e}, their index in X. */
    private static void openValues(Code c, BatchNorm bn, Shape x) {
        int hw = x.h() * x.w();
        long sample = x.perSample();
        if (bn.perChannel()) {
            c.open("for (int t = 0; t < " + x.n() + "; t++)")
                    .open("for (int e = t * " + sample + " + c * " + hw + "; e < t * " + sample + " + c * " + hw + " + " + hw + "; e++)");
        } else {
            c.open("for (int t = 0; t < " + x.n() + "; t++)").open("").line("int e = t * " + sample + " + s");
        }
    }

    static void forward(StepCtx s, BatchNorm bn) {
        Shape x = s.inBuf(0).shape();
        long n = bn.valuesPerStatistic(x);
        String X = s.in(0), G = s.in(1), B = s.in(2), RM = s.in(3), RV = s.in(4);
        String Y = s.out(0);
        Code c = new Code();
        openStats(c, bn, x);
        if (s.inference) {
            runningStatistics(c, bn, x, X, Y, G, B, RM, RV);
            c.close();
            s.main(x.c(), x.size() * 2, "one channel each (its statistics and their values)", c.build());
            return;
        }
        String MU = s.out(1), IS = s.out(2);
        c.open("if (training)");
        c.comment("batch statistics: μ = mean(X), σ² = mean((X-μ)²) over " + n + " values, in double");
        boolean wide = wides(s, bn, x);
        s.wide |= wide;
        sums(c, bn, x, List.of("sum"), (e, k) -> List.of("sum" + k + " += " + X + "[" + e + "]"),
                !wide ? null : e -> List.of("FloatVector x8 = " + load8(X, e), add("sum", 0, wide("x8", 0)), add("sum", 1, wide("x8", 1))));
        c.line("double mu = sum / " + n);
        sums(c, bn, x, List.of("sq"), (e, k) -> List.of("double d" + k + " = " + X + "[" + e + "] - mu", "sq" + k + " += d" + k + " * d" + k),
                !wide ? null : e -> List.of("FloatVector x8 = " + load8(X, e),
                        "DoubleVector dA = " + wide("x8", 0) + ".sub(mu)", add("sq", 0, "dA.mul(dA)"),
                        "DoubleVector dB = " + wide("x8", 1) + ".sub(mu)", add("sq", 1, "dB.mul(dB)")));
        c.line("double var = sq / " + n);
        c.line(MU + "[s] = (float) mu");
        c.line(IS + "[s] = (float) (1.0 / Math.sqrt(var + " + Code.d(bn.eps()) + "))");
        if (n > 1) {
            c.comment("running statistics, variance unbiased (σ²·n/(n-1)), momentum " + bn.momentum());
            c.line(RM + "[s] = (float) (" + Code.d(1 - bn.momentum()) + " * " + RM + "[s] + " + Code.d(bn.momentum()) + " * mu)");
            c.line(RV + "[s] = (float) (" + Code.d(1 - bn.momentum()) + " * " + RV + "[s] + " + Code.d(bn.momentum())
                    + " * var * " + n + " / " + (n - 1) + ")");
        }
        c.line("float m = " + MU + "[s]").line("float is = " + IS + "[s]");
        c.line("float g = " + G + "[s]").line("float b = " + B + "[s]");
        openValues(c, bn, x);
        c.line(Y + "[e] = g * ((" + X + "[e] - m) * is) + b").close().close();
        c.orElse("else");
        runningStatistics(c, bn, x, X, Y, G, B, RM, RV);
        c.close();
        c.close();
        s.main(x.c(), x.size() * 4, "one channel each (its statistics and their values)", c.build());
    }

    /** Inference: {@code Y = γ·(X - run_mean)/sqrt(run_var + ε) + β} for statistic s. */
    private static void runningStatistics(Code c, BatchNorm bn, Shape x, String X, String Y, String G, String B, String RM,
            String RV) {
        c.comment("inference: running statistics");
        c.line("float m = " + RM + "[s]").line("float is = (float) (1.0 / Math.sqrt(" + RV + "[s] + " + Code.d(bn.eps()) + "))");
        c.line("float g = " + G + "[s]").line("float b = " + B + "[s]");
        openValues(c, bn, x);
        c.line(Y + "[e] = g * ((" + X + "[e] - m) * is) + b").close().close();
    }

    /** Emits {@code dsum = Σ ΔY}, {@code xsum = Σ ΔY·x̂} for statistic s (double), with {@code m, is} bound. */
    private static void backwardSums(StepCtx s, Code c, BatchNorm bn, Shape x, String dy, String xs) {
        boolean wide = wides(s, bn, x);
        s.wide |= wide;
        sums(c, bn, x, List.of("dsum", "xsum"), (e, k) -> List.of("float d" + k + " = " + dy + "[" + e + "]", "dsum" + k + " += d" + k,
                "xsum" + k + " += d" + k + " * ((" + xs + "[" + e + "] - m) * is)"),
                !wide ? null : e -> List.of("FloatVector d8 = " + load8(dy, e),
                        "FloatVector dx8 = d8.mul(" + load8(xs, e) + ".sub(m).mul(is))",
                        add("dsum", 0, wide("d8", 0)), add("dsum", 1, wide("d8", 1)),
                        add("xsum", 0, wide("dx8", 0)), add("xsum", 1, wide("dx8", 1))));
    }

    /**
     * Whether bn's sums in this step run on the vector accumulators ({@link #wideSums}; the class then needs its
     * {@code wide} helper): a Vector API class, per channel, at least {@link #LANES} values a plane.
     */
    private static boolean wides(StepCtx s, BatchNorm bn, Shape x) {
        return s.vector && bn.perChannel() && x.h() * x.w() >= LANES;
    }

    static void backwardData(StepCtx s, BnBf bf) {
        BatchNorm bn = bf.bn();
        Shape x = s.inBuf(1).shape();
        long n = bn.valuesPerStatistic(x);
        String DY = s.in(0), X = s.in(1), G = s.in(2), MU = s.in(3), IS = s.in(4), DX = s.out(0);
        Code c = new Code();
        openStats(c, bn, x);
        c.line("float m = " + MU + "[s]").line("float is = " + IS + "[s]");
        backwardSums(s, c, bn, x, DY, X);
        if (s.step.lowering().fusion() instanceof Lowering.Fusion.Sums sums) {
            c.comment("bn_grad's outputs from the same sums (fuse-bn-backward): Δγ = Σ ΔY·x̂, Δβ = Σ ΔY");
            c.line(Names.field(sums.outs().get(0)) + "[s] = (float) xsum").line(Names.field(sums.outs().get(1)) + "[s] = (float) dsum");
        }
        c.line("float md = (float) (dsum / " + n + ")").line("float mx = (float) (xsum / " + n + ")");
        c.line("float gs = " + G + "[s] * is");
        openValues(c, bn, x);
        c.line(DX + "[e] = gs * (" + DY + "[e] - md - ((" + X + "[e] - m) * is) * mx)").close().close();
        c.close();
        s.main(x.c(), x.size() * 4, "one channel each", c.build());
    }

    static void gradient(StepCtx s, BnGrad grad) {
        BatchNorm bn = grad.bn();
        Shape x = s.inBuf(1).shape();
        String DY = s.in(0), X = s.in(1), MU = s.in(2), IS = s.in(3);
        Code c = new Code();
        openStats(c, bn, x);
        c.line("float m = " + MU + "[s]").line("float is = " + IS + "[s]");
        backwardSums(s, c, bn, x, DY, X);
        c.line(s.out(0) + "[s] = (float) xsum").line(s.out(1) + "[s] = (float) dsum");
        c.close();
        s.main(x.c(), x.size() * 2, "one channel each", c.build());
    }
}
