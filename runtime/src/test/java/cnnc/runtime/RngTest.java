package cnnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class RngTest {

    @Test
    void matchesPublishedSplitMix64Vector() {
        // Reference outputs of Vigna's splitmix64.c seeded with 1234567 (unsigned decimal).
        Rng r = new Rng(1234567L);
        assertEquals(Long.parseUnsignedLong("6457827717110365317"), r.nextLong());
        assertEquals(Long.parseUnsignedLong("3203168211198807973"), r.nextLong());
        assertEquals(Long.parseUnsignedLong("9817491932198370423"), r.nextLong());
    }

    @Test
    void matchesJdkSplittableRandomWhichUsesTheSameAlgorithm() {
        for (long seed : new long[] {0, 1, -1, 42, Long.MIN_VALUE}) {
            Rng mine = new Rng(seed);
            SplittableRandom jdk = new SplittableRandom(seed);
            for (int i = 0; i < 1000; i++) {
                assertEquals(jdk.nextLong(), mine.nextLong(), "seed " + seed + " draw " + i);
            }
        }
    }

    @Test
    void fnv1aMatchesPublishedVectors() {
        assertEquals(0xcbf29ce484222325L, Rng.fnv1a64(""));
        assertEquals(0xaf63dc4c8601ec8cL, Rng.fnv1a64("a"));
        assertEquals(0x85944171f73967e8L, Rng.fnv1a64("foobar"));
    }

    @Test
    void streamsAreReproducibleAndIndependent() {
        long a1 = Rng.stream(7, "init/c1.weight").nextLong();
        assertEquals(a1, Rng.stream(7, "init/c1.weight").nextLong());
        assertNotEquals(a1, Rng.stream(7, "init/c2.weight").nextLong());
        assertNotEquals(a1, Rng.stream(8, "init/c1.weight").nextLong());
    }

    @Test
    void nextIntIsInRangeAndRoughlyUniform() {
        Rng r = new Rng(3);
        int[] counts = new int[7];
        int n = 70000;
        for (int i = 0; i < n; i++) {
            counts[r.nextInt(7)]++;
        }
        for (int c : counts) {
            // expected 10000, std ~ sqrt(10000 * 6/7) ~ 93; 6 std of slack
            assertTrue(Math.abs(c - 10000) < 560, Arrays.toString(counts));
        }
        assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
        assertEquals(0, r.nextInt(1));
    }

    @Test
    void nextDoubleIsInUnitInterval() {
        Rng r = new Rng(5);
        double sum = 0;
        for (int i = 0; i < 100000; i++) {
            double d = r.nextDouble();
            assertTrue(d >= 0 && d < 1);
            sum += d;
        }
        assertEquals(0.5, sum / 100000, 0.005); // std of the mean: 0.289/316 = 0.0009
    }

    @Test
    void gaussianHasStandardNormalMoments() {
        Rng r = new Rng(11);
        int n = 200000;
        double sum = 0;
        double sq = 0;
        int within1 = 0;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            assertTrue(Double.isFinite(g));
            sum += g;
            sq += g * g;
            if (Math.abs(g) < 1) {
                within1++;
            }
        }
        assertEquals(0, sum / n, 0.01);          // std of the mean 0.0022
        assertEquals(1, sq / n, 0.015);          // std of the variance estimate 0.0032
        assertEquals(0.6827, within1 / (double) n, 0.005); // P(|g| < 1) of N(0, 1)
    }

    @Test
    void permutationIsAPermutationAndDependsOnTheSeed() {
        int[] p = new Rng(1).permutation(100);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) {
            assertEquals(i, sorted[i]);
        }
        assertArrayEquals(p, new Rng(1).permutation(100));
        assertFalse(Arrays.equals(p, new Rng(2).permutation(100)));
        assertEquals(0, new Rng(1).permutation(0).length);
    }

    @Test
    void permutationOfThreeHitsAllOrdersEvenly() {
        // Fisher-Yates gives each of the 3! orders with probability 1/6.
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        Rng r = new Rng(9);
        for (int i = 0; i < 60000; i++) {
            counts.merge(Arrays.toString(r.permutation(3)), 1, Integer::sum);
        }
        assertEquals(6, counts.size());
        for (int c : counts.values()) {
            assertTrue(Math.abs(c - 10000) < 600, counts.toString());
        }
    }
}
