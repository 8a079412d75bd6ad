package cnnc.interp;

import cnnc.ir.Buffer;
import cnnc.ir.Init;
import cnnc.ir.Model;
import cnnc.ir.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random values for every source of a model's forward graph, for tests and gradient checks:
 * the same seed gives the same values on every JVM ({@link Random} is fully specified).
 *
 * <ul>
 *   <li>input: uniform in [-1, 1);
 *   <li>target: soft labels (positive, summing to 1 over channels at every {@code (t,i,j)}, as the
 *       fused {@code (y - z)/T} backward assumes), or one-hot rows;
 *   <li>weights: normal with He's std {@code sqrt(2/fan_in)}; biases and β uniform in [-0.5, 0.5);
 *       γ uniform in [0.5, 1.5);
 *   <li>bn state: running mean uniform in [-0.5, 0.5), running variance in [0.5, 1.5).
 * </ul>
 */
public final class Seeds {

    private Seeds() {}

    /** Values for every forward source, in graph order; soft-label target. */
    public static Map<String, double[]> values(Model model, long seed) {
        return values(model, seed, false);
    }

    public static Map<String, double[]> values(Model model, long seed, boolean oneHot) {
        Random random = new Random(seed);
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Buffer b : model.forward().sources()) {
            out.put(b.name(), switch (b.role()) {
                case INPUT -> uniform(random, b, -1, 1);
                case TARGET -> oneHot ? oneHot(random, b.shape()) : softLabels(random, b.shape());
                case PARAMETER, STATE -> param(random, b);
                default -> throw new IllegalStateException("unexpected source " + b.name() + " (" + b.role() + ")");
            });
        }
        return out;
    }

    /** Fills an interpreter with {@link #values}. */
    public static void fill(Interpreter interp, long seed) {
        interp.load(values(interp.model(), seed));
    }

    /** By what the buffer starts at: a weight (drawn) gets a normal, a 1 (γ, running variance) [0.5, 1.5), a 0 [-0.5, 0.5). */
    private static double[] param(Random random, Buffer b) {
        if (b.init().random()) {
            Shape s = b.shape();
            double fanIn = (double) s.size() / s.dim(0);
            double std = Math.sqrt(2 / fanIn);
            double[] v = new double[(int) s.size()];
            for (int e = 0; e < v.length; e++) {
                v[e] = random.nextGaussian() * std;
            }
            return v;
        }
        if (b.init() == Init.ONE) {
            return uniform(random, b, 0.5, 1.5);
        }
        return uniform(random, b, -0.5, 0.5);
    }

    private static double[] uniform(Random random, Buffer b, double lo, double hi) {
        double[] v = new double[(int) b.shape().size()];
        for (int e = 0; e < v.length; e++) {
            v[e] = lo + (hi - lo) * random.nextDouble();
        }
        return v;
    }

    /** Positive values normalized over channels at every {@code (t,i,j)}. */
    private static double[] softLabels(Random random, Shape s) {
        Dims d = new Dims(s.n(), s.c(), s.h(), s.w());
        double[] z = new double[d.size()];
        for (int t = 0; t < d.n(); t++) {
            for (int i = 0; i < d.h(); i++) {
                for (int j = 0; j < d.w(); j++) {
                    double sum = 0;
                    for (int c = 0; c < d.c(); c++) {
                        z[d.at(t, c, i, j)] = 0.1 + random.nextDouble();
                        sum += z[d.at(t, c, i, j)];
                    }
                    for (int c = 0; c < d.c(); c++) {
                        z[d.at(t, c, i, j)] /= sum;
                    }
                }
            }
        }
        return z;
    }

    /** A 1 in one random channel at every {@code (t,i,j)}. */
    private static double[] oneHot(Random random, Shape s) {
        Dims d = new Dims(s.n(), s.c(), s.h(), s.w());
        double[] z = new double[d.size()];
        for (int t = 0; t < d.n(); t++) {
            for (int i = 0; i < d.h(); i++) {
                for (int j = 0; j < d.w(); j++) {
                    z[d.at(t, random.nextInt(d.c()), i, j)] = 1;
                }
            }
        }
        return z;
    }
}
