package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import java.util.ArrayList;
import java.util.List;

/**
 * Stride-1 conv and conv_bf on the plain-Java path, written so that C2's auto-vectorizer (SuperWord)
 * takes their inner loops. On JDK 25 SuperWord leaves a loop scalar when two arrays are indexed from
 * different loop-invariant offsets ({@code y[yr + j]}, {@code x[xr + j]}: it cannot rule out that they
 * overlap), or when one iteration loads neighbouring floats ({@code x[e]}, {@code x[e + 1]}). So every
 * index here is {@code base + constant + e} in one scratch array, and each kernel column reads its own
 * shifted copy of the input (docs/performance.md, "Stop 15"):
 * <pre>
 *   pad phase, per sample:  P[t][i] = X[t][i] padded to Hp x Wp = (Ho + M - 1) x (Wo + N - 1), row-major
 *   per block of b output maps o .. o+b-1 and input map i, in the chunk's slice S of a scratch array:
 *     S[base + a·A + e]       = bias[o + a]                     before the first i  (e = r·Wp + j)
 *     S[base + X + q·Q + e]   = P[t][i][e + q]                  one shifted copy per kernel column q
 *     S[base + a·A + e]      += Σ_q W[o + a][i][p][q] · S[base + X + q·Q + p·Wp + e]   per kernel row p
 *   Y[t][o + a][r][j] = S[base + a·A + r·Wp + j] for j < Wo
 * </pre>
 * The pads hold zeros, so the loops have no borders (the columns {@code j >= Wo} compute what is not
 * copied out). Each output adds its terms in the order of a loop per tap (input map, kernel row,
 * kernel column, a rounding after each), plus {@code w·0} for the taps that fall in the pads, which
 * changes nothing unless the sum is -0 or a weight is not finite.
 */
final class PlaneConvEmitter {

    /**
     * Output maps per block. Measured (JDK 25, loops of three taps, the weights loaded from the weight
     * array in the same method): a helper of three such loops vectorizes with 2 maps (52 GFLOP/s a
     * core), not with 3; one loop of 4 maps does not either (10). Why, I did not find out.
     */
    static final int BLOCK = 2;

    /**
     * Weights a tap helper loads, at most (whole kernel rows, at least one), and kernel columns a loop
     * takes: the shape measured to vectorize (3x3: three loops of 3 columns x 2 maps in one method,
     * 52 GFLOP/s a core); a 5x5 row in one loop, or 3x3 with 3 maps, stayed scalar.
     */
    static final int WEIGHTS_PER_HELPER = 18;
    static final int TAPS_PER_LOOP = 3;

    private PlaneConvEmitter() {}

    /** Whether the plane kernel applies: unit strides (the shifted copies hold every input column once). */
    static boolean applies(Conv op) {
        return op.sh() == 1 && op.sw() == 1;
    }

    /**
     * One convolution of {@code t x ci x h x w} maps {@code in} into {@code t x co x ho x wo} maps {@code out}:
     * padded rows start {@code top} rows above the input's first, columns {@code left} to its left; tap
     * {@code (p, q)} of output map o + a and input map i weighs {@code weights[wo + a·aStride + p·n + q]}
     * ({@code wo} = {@code woExpr} in o and i) and reads padded row {@code r + rowOf(p)}, column
     * {@code j + colOf(q)}.
     */
    record Spec(String in, int t, int ci, int h, int w, int top, int left, String out, int co, int ho, int wo, int m, int n,
                String weights, String woExpr, long aStride, boolean rotated, String bias, String what) {
        int hp() {
            return ho + m - 1;
        }

        int wp() {
            return wo + n - 1;
        }

        /** Padded row offset of kernel row p: p, or m - 1 - p for conv_bf's kernel rotated 180°. */
        int rowOf(int p) {
            return rotated ? m - 1 - p : p;
        }

        int colOf(int q) {
            return rotated ? n - 1 - q : q;
        }
    }

    /**
     * Where things lie: a padded plane of P is {@code dPlane} floats (its zero tail included); a chunk's
     * slice of S ({@code slice} floats) holds the block's accumulator maps {@code accPlane} floats apart,
     * then from {@code xs} the shifted copies, {@code xsPlane} floats apart (multiples of 16, so no two
     * taps' loads fall in one vector).
     */
    record Layout(long dPlane, long accPlane, long xsPlane, long xs, long slice, String p, String s) {}

    static void forward(StepCtx s, Conv op) {
        Shape x = s.inBuf(0).shape();
        Shape y = s.outBuf(0).shape();
        int mn = op.m() * op.n();
        emit(s, new Spec(s.in(0), x.n(), x.c(), x.h(), x.w(), op.pt(), op.pl(), s.out(0), y.c(), y.h(), y.w(), op.m(), op.n(),
                s.in(1), "(o * " + x.c() + " + i) * " + mn, (long) x.c() * mn, false, op.bias() ? s.in(2) : null, "output"));
    }

    /** Conv_bf (ΔX[t][c] starts from {@code bias[c]}, or 0 when null): ΔY padded by (M-1-Pt, N-1-Pl), W[k][c] rotated 180°. */
    static void backwardData(StepCtx s, ConvBf bf, String bias) {
        Conv op = bf.conv();
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int mn = op.m() * op.n();
        emit(s, new Spec(s.in(0), dy.n(), dy.c(), dy.h(), dy.w(), op.m() - 1 - op.pt(), op.n() - 1 - op.pl(), s.out(0), dx.c(), dx.h(),
                dx.w(), op.m(), op.n(), s.in(1), "(i * " + dx.c() + " + o) * " + mn, mn, true, bias, "ΔX"));
    }

    private static void emit(StepCtx s, Spec k) {
        int hp = k.hp(), wp = k.wp();
        int b = Math.min(BLOCK, k.co());
        long accPlane = round16((long) k.ho() * wp), xsPlane = round16((long) hp * wp);
        long dPlane = (long) hp * wp + k.n() - 1; // the zero tail: the last shifted copy reads n - 1 floats past the rows
        String d = padPhase(s, k, dPlane);
        int og = ConvEmitter.groupsFor(k.t(), k.co());
        int chunks = k.t() * og;
        long slice = b * accPlane + k.n() * xsPlane;
        Layout l = new Layout(dPlane, accPlane, xsPlane, b * accPlane, slice, d, s.scratch("s", chunks * slice));
        boolean singles = b > 1 && (og > 1 || k.co() % b != 0);
        List<String> taps = taps(s, k, l, b, "taps");
        List<String> ones = singles ? taps(s, k, l, 1, "one") : taps;
        Code c = new Code();
        ConvEmitter.splitChunk(c, og, k.co(), "o0", "o1");
        c.line("int base = chunk * " + slice).line("int o = o0");
        block(c, k, l, b, "o + " + b + " <= o1", taps);
        if (singles) {
            block(c, k, l, 1, "o < o1", ones);
        }
        s.kernel = Emitters.scalarLoops(s) + " on padded planes, in loops C2 vectorizes, " + b + " maps at a time, " + chunks + " chunks";
        s.main(chunks, (long) k.t() * k.co() * k.ci() * k.ho() * k.wo() * k.m() * k.n(),
                (og == 1 ? "one sample each" : "sample chunk / " + og + ", " + k.what() + " maps split in " + og) + "; " + k.what()
                        + " maps " + b + " at a time in the chunk's slice of " + l.s(), c.build(), og == 1);
    }

    private static long round16(long v) {
        return (v + 15) / 16 * 16;
    }

    /** The phase writing every padded plane P[t][i] (zeros in the pads and the tail), one sample per chunk. */
    private static String padPhase(StepCtx s, Spec k, long dPlane) {
        int hp = k.hp(), wp = k.wp();
        String d = s.scratch("p", k.t() * k.ci() * dPlane);
        int e0 = Math.max(0, k.left()), e1 = Math.min(wp, k.left() + k.w()); // padded columns [e0, e1) hold input columns
        int r0 = Math.min(hp, Math.max(0, k.top())); // padded rows [r0, r1) hold input rows
        int r1 = e0 < e1 ? Math.max(r0, Math.min(hp, k.top() + k.h())) : r0;
        Code c = new Code();
        c.line("int t = chunk");
        c.open("for (int i = 0; i < " + k.ci() + "; i++)")
                .line("int x = (t * " + k.ci() + " + i) * " + k.h() * k.w() + ConvEmitter.plus((long) (r0 - k.top()) * k.w() + e0 - k.left()))
                .line("int d = (t * " + k.ci() + " + i) * " + dPlane);
        if (r0 > 0) {
            c.loop("e", 0, (long) r0 * wp, d + "[d + e] = 0f");
        }
        if (r0 < r1) {
            c.open("for (int r = " + r0 + "; r < " + r1 + "; r++, x += " + k.w() + ")").line("int dr = d + r * " + wp);
            if (e0 > 0) {
                c.loop("e", 0, e0, d + "[dr + e] = 0f");
            }
            c.line("System.arraycopy(" + k.in() + ", x, " + d + ", dr" + ConvEmitter.plus(e0) + ", " + (e1 - e0) + ")");
            if (e1 < wp) {
                c.loop("e", e1, wp, d + "[dr + e] = 0f");
            }
            c.close();
        }
        c.loop("e", (long) r1 * wp, dPlane, d + "[d + e] = 0f");
        c.close();
        s.phase("pad", k.t(), (long) k.t() * k.ci() * hp * wp, "copies " + k.in() + "[t] into planes of " + hp + "x" + wp + " ("
                + k.top() + " rows above, " + k.left() + " columns to the left), zeros in the pads and " + (k.n() - 1) + " after", c.build());
        return d;
    }

    /** The main loop over blocks of b output maps from o while {@code cond}. */
    private static void block(Code c, Spec k, Layout l, int b, String cond, List<String> taps) {
        int wp = k.wp();
        c.open("for (; " + cond + "; o += " + b + ")");
        c.comment("the sums start at the bias: S[base + a·" + l.accPlane() + " + r·" + wp + " + j]");
        for (int a = 0; a < b; a++) {
            String start = k.bias() == null ? "0f" : k.bias() + "[o" + ConvEmitter.plus(a) + "]";
            c.line("float b" + a + " = " + start).loop("e", 0, (long) k.ho() * wp, l.s() + "[base" + ConvEmitter.plus(a * l.accPlane()) + " + e] = b" + a);
        }
        c.open("for (int i = 0; i < " + k.ci() + "; i++)").line("int d = (t * " + k.ci() + " + i) * " + l.dPlane());
        c.comment("kernel column q reads S[base + " + l.xs() + " + q·" + l.xsPlane() + " + e] = P[t][i][e + q]");
        for (int q = 0; q < k.n(); q++) {
            c.line("System.arraycopy(" + l.p() + ", d" + ConvEmitter.plus(q) + ", " + l.s() + ", base" + ConvEmitter.plus(l.xs() + q * l.xsPlane())
                    + ", " + (long) k.hp() * wp + ")");
        }
        c.line("int wo = " + k.woExpr());
        taps.forEach(t -> c.line(t + "(base, wo)"));
        c.close();
        c.line("int y = (t * " + k.co() + " + o) * " + k.ho() * k.wo());
        for (int a = 0; a < b; a++) {
            c.one("for (int r = 0; r < " + k.ho() + "; r++) System.arraycopy(" + l.s() + ", base" + ConvEmitter.plus(a * l.accPlane()) + " + r * "
                    + wp + ", " + k.out() + ", y" + ConvEmitter.plus((long) a * k.ho() * k.wo()) + " + r * " + k.wo() + ", " + k.wo() + ")");
        }
        c.close();
    }

    /** Kernel row p's columns q0 .. q1-1 added to b output maps: one loop over the output map, every term rounded in turn. */
    private static void rowLoop(Code c, Spec k, Layout l, int b, int p, int q0, int q1) {
        c.open("for (int e = 0; e < " + (long) k.ho() * k.wp() + "; e++)");
        for (int q = q0; q < q1; q++) {
            c.line("float x" + q + " = " + l.s() + "[base" + ConvEmitter.plus(l.xs() + k.colOf(q) * l.xsPlane() + (long) k.rowOf(p) * k.wp()) + " + e]");
        }
        for (int a = 0; a < b; a++) {
            String acc = l.s() + "[base" + ConvEmitter.plus(a * l.accPlane()) + " + e]";
            StringBuilder sum = new StringBuilder(acc + " = " + acc);
            for (int q = q0; q < q1; q++) {
                sum.append(" + ").append(ConvEmitter.weightName(a, p, q)).append(" * x").append(q);
            }
            c.line(sum.toString());
        }
        c.close();
    }

    /** The tap helpers for b output maps: whole kernel rows, at most {@link #WEIGHTS_PER_HELPER} weights a helper, a row's weights loaded before its loops. */
    private static List<String> taps(StepCtx s, Spec k, Layout l, int b, String prefix) {
        int rowsPer = Math.max(1, WEIGHTS_PER_HELPER / (b * k.n()));
        List<String> names = new ArrayList<>();
        for (int p0 = 0; p0 < k.m(); p0 += rowsPer) {
            int p1 = Math.min(k.m(), p0 + rowsPer);
            Code c = new Code();
            for (int p = p0; p < p1; p++) {
                c.comment("kernel row p = " + p + ": padded row r + " + k.rowOf(p) + (k.rotated() ? " (the kernel rotated 180°)" : ""));
                for (int a = 0; a < b; a++) {
                    for (int q = 0; q < k.n(); q++) {
                        c.line("float " + ConvEmitter.weightName(a, p, q) + " = " + k.weights() + "[wo" + ConvEmitter.plus(a * k.aStride() + p * k.n() + q) + "]");
                    }
                }
                for (int q0 = 0; q0 < k.n(); q0 += TAPS_PER_LOOP) {
                    rowLoop(c, k, l, b, p, q0, Math.min(k.n(), q0 + TAPS_PER_LOOP));
                }
            }
            names.add(s.helper(prefix + names.size(), "Adds kernel rows " + p0 + ".." + (p1 - 1) + " of input map i to " + b + " " + k.what()
                    + " map" + (b == 1 ? "" : "s") + " from o in the chunk's slice: sum = sum + w·x tap by tap, kernel columns in order.",
                    List.of("base", "wo"), c.build()));
        }
        return names;
    }
}
