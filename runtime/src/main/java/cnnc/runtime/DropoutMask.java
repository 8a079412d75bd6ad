package cnnc.runtime;

/**
 * Which elements {@code dropout(x, p)} keeps in a training pass: a counter-based hash of
 * (seed, node, step, element), not a stateful generator, so the mask is the same bits whichever
 * thread computes an element, in whatever order, on the JVM and on an OpenCL device
 * ({@link #OPENCL_C} is the same function in OpenCL C; docs/files.md, "Dropout masks").
 *
 * <p>With {@code mix} the SplitMix64 finalizer ({@link Rng#mix}) and {@code γ = 0x9E3779B97F4A7C15}:
 * <pre>
 * base      = mix(seed) ^ fnv1a64("dropout " + node)      once per operation (a constant of the generated code)
 * key       = mix(base + (step + 1)·γ)                     once per training pass
 * bits(e)   = mix(key + (e + 1)·γ)                         e: the element's index in the whole batch, t·C·H·W + ...
 * keep(e)   = (bits(e) >>> 40) >= round(p · 2^24)          24 uniform bits against an integer threshold
 * </pre>
 * so {@code P(drop) = round(p·2^24) / 2^24}, exactly {@code p} for p a multiple of 2^-24 (0.5, 0.25, 0.1 to 6e-8).
 * The step is the training step ({@link Network#setStep}); the seed the train block's.
 */
public final class DropoutMask {

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    /** How many of the hash's bits are compared with the threshold. */
    public static final int BITS = 24;

    /**
     * The OpenCL C of {@link #key} and {@link #keep}, bit for bit (64-bit unsigned arithmetic wraps as
     * Java's {@code long} does; {@code >>} on {@code ulong} is Java's {@code >>>}).
     */
    public static final String OPENCL_C = """
            // dropout's mask (cnnc.runtime.DropoutMask): SplitMix64's finalizer over (base, step, element)
            ulong cnnc_mix(ulong z) {
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
            ulong cnnc_dropout_key(ulong base, ulong step) {
                return cnnc_mix(base + (step + 1UL) * 0x9E3779B97F4A7C15UL);
            }
            int cnnc_dropout_keep(ulong key, ulong e, uint threshold) {
                return (uint) (cnnc_mix(key + (e + 1UL) * 0x9E3779B97F4A7C15UL) >> 40) >= threshold;
            }
            """;

    private DropoutMask() {}

    /** The per-operation constant: {@code mix(seed) ^ fnv1a64("dropout " + node)}. */
    public static long base(long seed, String node) {
        return Rng.mix(seed) ^ Rng.fnv1a64("dropout " + node);
    }

    /** The per-pass key of training step {@code step}. */
    public static long key(long base, long step) {
        return Rng.mix(base + (step + 1) * GAMMA);
    }

    /** The integer threshold of drop probability {@code p} in [0, 1): {@code round(p·2^24)}. */
    public static int threshold(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), not " + p);
        }
        return (int) Math.round(p * (1 << BITS));
    }

    /** Whether element {@code e} (its index in the whole batch) is kept under {@code key}. */
    public static boolean keep(long key, long e, int threshold) {
        return (int) (Rng.mix(key + (e + 1) * GAMMA) >>> (64 - BITS)) >= threshold;
    }
}
