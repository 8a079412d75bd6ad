package cnnc.runtime;

import java.nio.charset.StandardCharsets;

/**
 * The runtime's only source of randomness: SplitMix64 (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), written out here so that every JVM gives the
 * same numbers (bit-identical training across machines, docs/language.md §4).
 *
 * <p>State {@code s}; each step {@code s += 0x9E3779B97F4A7C15}, output
 * {@code mix(s)} with {@code z = (z ^ z>>>30) * 0xBF58476D1CE4E5B9; z = (z ^ z>>>27) * 0x94D049BB133111EB;
 * z ^ z>>>31}. Floating point uses {@link StrictMath} only, whose results are specified exactly.
 *
 * <p>Independent streams come from {@link #stream(long, String)}: one per purpose (a parameter's
 * initialization, an epoch's shuffle), so adding a layer does not shift another layer's numbers.
 * Not thread-safe.
 */
public final class Rng {

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /** A generator whose first output is {@code mix(seed + GAMMA)}. */
    public Rng(long seed) {
        this.state = seed;
    }

    /**
     * A stream for one purpose: seeded with {@code mix(seed) ^ fnv1a64(purpose)}, where
     * {@code purpose} is encoded as UTF-8, so different purposes give unrelated sequences.
     */
    public static Rng stream(long seed, String purpose) {
        return new Rng(mix(seed) ^ fnv1a64(purpose));
    }

    /** The SplitMix64 finalizer (Stafford's variant 13). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64-bit FNV-1a of the UTF-8 bytes of {@code s}: offset 0xCBF29CE484222325, prime 0x100000001B3. */
    public static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        state += GAMMA;
        return mix(state);
    }

    /** Uniform in [0, bound), without modulo bias (rejection as in java.util.Random#nextInt(int)). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        int bits;
        int val;
        do {
            bits = (int) (nextLong() >>> 33);
            val = bits % bound;
        } while (bits - val + (bound - 1) < 0);
        return val;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Standard normal by Box-Muller: {@code sqrt(-2 ln u1) * cos(2 pi u2)} with u1 in (0, 1];
     * uses two uniforms per value (the sine half is dropped to keep the generator stateless).
     */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
    }

    /** Fisher-Yates shuffle of {@code 0..n-1}: for i from n-1 down to 1 swap a[i] and a[nextInt(i+1)]. */
    public int[] permutation(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
