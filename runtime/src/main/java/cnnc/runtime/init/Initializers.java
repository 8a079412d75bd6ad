package cnnc.runtime.init;

import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.Rng;
import cnnc.runtime.TensorSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

/**
 * Initial values of parameters and running statistics, as each buffer's {@link TensorSpec#init()}
 * says (the compiler sets it from the operation that declares the buffer):
 * <ul>
 * <li>{@code HE}: normal with std {@code sqrt(2 / fan_in)}; {@code XAVIER} (Glorot normal): std
 *     {@code sqrt(2 / (fan_in + fan_out))} (conv and full weights);</li>
 * <li>{@code ZERO} (biases, β, running mean) and {@code ONE} (γ, running variance): constants.</li>
 * </ul>
 * Fans come from the weight's shape: conv {@code [K, C, M, N]} has fan_in {@code C*M*N} and
 * fan_out {@code K*M*N}; full {@code [K, L]} has fan_in {@code L}, fan_out {@code K}.
 * A deconv's {@code [C, K, M, N]} thereby has fan_in {@code K*M*N}, fan_out {@code C*M*N}: what PyTorch
 * computes for {@code ConvTranspose2d}, whose weight has that layout.
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

    /** Initializes every parameter and running statistic as its spec says. */
    public static void initialize(Network net, long seed) {
        initialize(net, seed, Collections.emptyMap());
    }

    /**
     * Initializes every parameter and running statistic.
     *
     * @param kinds initializer per drawn weight ({@code "c1.weight" -> "xavier"}), overriding its
     *              spec's {@code HE} or {@code XAVIER}; absent means what the spec says
     * @throws IllegalArgumentException on an unknown kind, a kind for a constant, or a weight rank without fans
     */
    public static void initialize(Network net, long seed, Map<String, String> kinds) {
        for (TensorSpec s : Networks.persistent(net)) {
            float[] buf = net.tensor(s.name());
            String name = s.name();
            switch (s.init()) {
                case HE, XAVIER -> {
                    String kind = kinds.getOrDefault(name, s.init().word());
                    fillNormal(buf, std(kind, name, s.shape()), Rng.stream(seed, "init/" + name));
                }
                case ZERO, ONE -> {
                    if (kinds.containsKey(name)) {
                        throw new IllegalArgumentException(name + " starts at " + s.init().word() + ", not drawn with '" + kinds.get(name) + "'");
                    }
                    Arrays.fill(buf, s.init() == TensorSpec.Init.ONE ? 1f : 0f);
                }
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
