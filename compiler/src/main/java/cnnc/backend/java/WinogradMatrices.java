package cnnc.backend.java;

/**
 * The transforms of Winograd F(m x m, 3x3) for the output tile sizes {@code m = 2} and {@code m = 4}
 * (Lavin & Gray 2016), on {@code α = m + 2} interpolation points: {@code 0, ±1, ∞} for m = 2 and
 * {@code 0, ±1, ±2, ∞} for m = 4. An {@code m x m} tile of output pixels is
 * {@code Y = A^T [(G g G^T) ⊙ (B^T d B)] A} with {@code g} the 3x3 kernel and {@code d} the
 * {@code α x α} input block under the tile.
 * <pre>
 *   F(2x2, 3x3):
 *   G = | 1    0    0  |   B^T = | 1  0 -1  0 |   A^T = | 1  1  1  0 |
 *       | ½    ½    ½  |         | 0  1  1  0 |         | 0  1 -1 -1 |
 *       | ½   -½    ½  |         | 0 -1  1  0 |
 *       | 0    0    1  |         | 0  1  0 -1 |
 *
 *   F(4x4, 3x3):
 *   G = |  ¼     0     0  |   B^T = | 4  0 -5  0  1  0 |   A^T = | 1  1  1  1  1  0 |
 *       | -⅙    -⅙    -⅙  |         | 0 -4 -4  1  1  0 |         | 0  1 -1  2 -2  0 |
 *       | -⅙     ⅙    -⅙  |         | 0  4 -4 -1  1  0 |         | 0  1  1  4  4  0 |
 *       | 1/24  1/12  1/6 |         | 0 -2 -1  2  1  0 |         | 0  1 -1  8 -8  1 |
 *       | 1/24 -1/12  1/6 |         | 0  2 -1 -2  1  0 |
 *       |  0     0     1  |         | 0  4  0 -5  0  1 |
 * </pre>
 * The generated code applies B^T and A^T as the factored sums below (every constant a power of
 * two, so each product is exact and the order of the sums is the only rounding), and G in double
 * with each row as a sum of integer multiples divided once ({@link #gRows}).
 */
final class WinogradMatrices {

    private WinogradMatrices() {}

    /** {@code G} of F(m x m, 3x3), {@code α x 3}: for tests and the float64 check of the formulas. */
    static double[][] g(int m) {
        return m == 2 ? new double[][] {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
                : new double[][] {{0.25, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
                    {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};
    }

    /** {@code B^T} of F(m x m, 3x3), {@code α x α}. */
    static double[][] bt(int m) {
        return m == 2 ? new double[][] {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
                : new double[][] {{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0},
                    {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
    }

    /** {@code A^T} of F(m x m, 3x3), {@code m x α}. */
    static double[][] at(int m) {
        return m == 2 ? new double[][] {{1, 1, 1, 0}, {0, 1, -1, -1}}
                : new double[][] {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
    }

    /**
     * The rows of {@code G} as {@code (c0·g0 + c1·g1 + c2·g2) / divisor}: {@code {c0, c1, c2, divisor}}
     * per row. Dividing once by an exact integer rounds less than multiplying by a rounded ⅙.
     */
    static int[][] gRows(int m) {
        return m == 2 ? new int[][] {{1, 0, 0, 1}, {1, 1, 1, 2}, {1, -1, 1, 2}, {0, 0, 1, 1}}
                : new int[][] {{1, 0, 0, 4}, {-1, -1, -1, 6}, {-1, 1, -1, 6}, {1, 2, 4, 24}, {1, -2, 4, 24}, {0, 0, 1, 1}};
    }

    /** Java source of row {@code r} of {@code G} applied to the doubles {@code x[0..2]}. */
    static String gRow(int m, int r, String[] x) {
        int[] row = gRows(m)[r];
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            int c = row[i];
            if (c == 0) {
                continue;
            }
            String term = (Math.abs(c) == 1 ? "" : Math.abs(c) + " * ") + x[i];
            if (s.isEmpty()) {
                s.append(c < 0 ? "-" : "").append(term);
            } else {
                s.append(c < 0 ? " - " : " + ").append(term);
            }
        }
        int d = row[3];
        return d == 1 ? s.toString() : "(" + s + ") / " + d + ".0";
    }

    /**
     * {@code B^T x} on the FloatVectors {@code x[0 .. α-1]} as Java statements declaring {@code out0 ..},
     * factored (F(4x4): {@code 4x0 - 5x2 + x4 = 4(x0 - x2) + (x4 - x2)} and so on). {@code four},
     * {@code two} and their negatives are broadcast constants the caller declares ({@link #CONSTANTS}).
     */
    static String[] btLines(int m, String[] x, String out) {
        if (m == 2) {
            return new String[] {
                decl(out, 0, x[0] + ".sub(" + x[2] + ")"), decl(out, 1, x[1] + ".add(" + x[2] + ")"),
                decl(out, 2, x[2] + ".sub(" + x[1] + ")"), decl(out, 3, x[1] + ".sub(" + x[3] + ")")};
        }
        return new String[] {
            "FloatVector " + out + "s = " + x[4] + ".sub(" + x[2] + ")",          // x4 - x2
            "FloatVector " + out + "t = " + x[3] + ".sub(" + x[1] + ")",          // x3 - x1
            decl(out, 0, x[0] + ".sub(" + x[2] + ").fma(four, " + out + "s)"),     // 4(x0 - x2) + (x4 - x2)
            decl(out, 1, x[1] + ".add(" + x[2] + ").fma(minusFour, " + x[3] + ".add(" + x[4] + "))"), // (x3 + x4) - 4(x1 + x2)
            decl(out, 2, x[1] + ".sub(" + x[2] + ").fma(four, " + x[4] + ".sub(" + x[3] + "))"),      // (x4 - x3) + 4(x1 - x2)
            decl(out, 3, out + "t.fma(two, " + out + "s)"),                       // (x4 - x2) + 2(x3 - x1)
            decl(out, 4, out + "t.fma(minusTwo, " + out + "s)"),                  // (x4 - x2) - 2(x3 - x1)
            decl(out, 5, out + "t.fma(minusFour, " + x[5] + ".sub(" + x[3] + "))")}; // (x5 - x3) - 4(x3 - x1)
    }

    /** {@code A^T x} on the FloatVectors {@code x[0 .. α-1]} as Java statements declaring {@code out0 .. out(m-1)}, factored. */
    static String[] atLines(int m, String[] x, String out) {
        if (m == 2) {
            return new String[] {
                decl(out, 0, x[0] + ".add(" + x[1] + ").add(" + x[2] + ")"),
                decl(out, 1, x[1] + ".sub(" + x[2] + ").sub(" + x[3] + ")")};
        }
        return new String[] {
            "FloatVector " + out + "a = " + x[1] + ".add(" + x[2] + ")",   // m1 + m2
            "FloatVector " + out + "b = " + x[1] + ".sub(" + x[2] + ")",   // m1 - m2
            "FloatVector " + out + "c = " + x[3] + ".add(" + x[4] + ")",   // m3 + m4
            "FloatVector " + out + "d = " + x[3] + ".sub(" + x[4] + ")",   // m3 - m4
            decl(out, 0, x[0] + ".add(" + out + "a).add(" + out + "c)"),   // m0 + (m1 + m2) + (m3 + m4)
            decl(out, 1, out + "d.fma(two, " + out + "b)"),                // (m1 - m2) + 2(m3 - m4)
            decl(out, 2, out + "c.fma(four, " + out + "a)"),               // (m1 + m2) + 4(m3 + m4)
            decl(out, 3, out + "d.fma(eight, " + out + "b).add(" + x[5] + ")")}; // (m1 - m2) + 8(m3 - m4) + m5
    }

    /** The broadcast constants {@link #btLines} and {@link #atLines} use for F(4x4) (none for F(2x2)). */
    static final String[] CONSTANTS = {"two = FloatVector.broadcast(S, 2f)", "minusTwo = FloatVector.broadcast(S, -2f)",
        "four = FloatVector.broadcast(S, 4f)", "minusFour = FloatVector.broadcast(S, -4f)", "eight = FloatVector.broadcast(S, 8f)"};

    private static String decl(String out, int i, String expr) {
        return "FloatVector " + out + i + " = " + expr;
    }
}
