package cnnc.runtime.init;

import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.Rng;
import cnnc.runtime.TensorSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

/**
 * Initial values of parameters and running statistics (SPEC sections 3 and 4), chosen by the
 * name's suffix:
 * <ul>
 * <li>{@code .weight}: {@code he} (default) normal with std {@code sqrt(2 / fan_in)}, or
 *     {@code xavier} (Glorot normal) with std {@code sqrt(2 / (fan_in + fan_out))};</li>
 * <li>{@code .bias}, {@code .beta}, {@code .running_mean}: 0; {@code .gamma}, {@code .running_var}: 1.</li>
 * </ul>
 * Fans come from the weight's shape: conv {@code [K, C, M, N]} has fan_in {@code C*M*N} and
 * fan_out {@code K*M*N}; full {@code [K, L]} has fan_in {@code L}, fan_out {@code K}.
 *
 * <p>Each weight draws from its own stream {@code Rng.stream(seed, "init/" + name)}, so it depends
 * only on the seed and its own name and shape: adding a layer leaves the other layers' values as
 * they were.
 */
public final class Initializers {

    /** He (Kaiming) normal initialization. */
    public static final String HE = "he";
    /** Xavier (Glorot) normal initialization. */
    public static final String XAVIER = "xavier";

    private Initializers() {
    }

    /** Initializes every parameter and running statistic, all weights with {@code he}. */
    public static void initialize(Network net, long seed) {
        initialize(net, seed, Collections.emptyMap());
    }

    /**
     * Initializes every parameter and running statistic.
     *
     * @param kinds initializer per weight name ({@code "c1.weight" -> "xavier"}); absent means {@code he}
     * @throws IllegalArgumentException on an unknown kind, suffix or weight rank
     */
    public static void initialize(Network net, long seed, Map<String, String> kinds) {
        for (TensorSpec s : Networks.persistent(net)) {
            float[] buf = net.tensor(s.name());
            String name = s.name();
            if (name.endsWith(".weight")) {
                String kind = kinds.getOrDefault(name, HE);
                fillNormal(buf, std(kind, name, s.shape()), Rng.stream(seed, "init/" + name));
            } else if (name.endsWith(".bias") || name.endsWith(".beta") || name.endsWith(".running_mean")) {
                Arrays.fill(buf, 0f);
            } else if (name.endsWith(".gamma") || name.endsWith(".running_var")) {
                Arrays.fill(buf, 1f);
            } else {
                throw new IllegalArgumentException(name + ": no initializer for this kind of tensor");
            }
        }
    }

    /** The normal distribution's standard deviation for a weight of this shape. */
    public static double std(String kind, String name, int[] shape) {
        int fanIn;
        int fanOut;
        if (shape.length == 4) {
            int field = shape[2] * shape[3];
            fanIn = shape[1] * field;
            fanOut = shape[0] * field;
        } else if (shape.length == 2) {
            fanIn = shape[1];
            fanOut = shape[0];
        } else {
            throw new IllegalArgumentException(name + ": cannot derive fans from shape " + Arrays.toString(shape));
        }
        if (HE.equals(kind)) {
            return Math.sqrt(2.0 / fanIn);
        }
        if (XAVIER.equals(kind)) {
            return Math.sqrt(2.0 / (fanIn + fanOut));
        }
        throw new IllegalArgumentException(name + ": unknown initializer '" + kind + "' (he or xavier)");
    }

    /** Fills with independent normal samples of mean 0 and the given std, rounded to float. */
    public static void fillNormal(float[] buf, double std, Rng rng) {
        for (int i = 0; i < buf.length; i++) {
            buf[i] = (float) (std * rng.nextGaussian());
        }
    }
}
