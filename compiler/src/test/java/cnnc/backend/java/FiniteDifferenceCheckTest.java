package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ReferenceTest#compareWithFiniteDifferences}, the check itself, on losses with known gradients. */
@Timeout(10)
class FiniteDifferenceCheckTest {

    /** L(v) = sum of v[i] around v = 0: every gradient element is 1. */
    private static final ReferenceTest.Perturbed LINEAR = (i, h) -> h;

    @Test
    void aRightGradientPasses() {
        float[] g = {1, 1, 1, 1};
        assertEquals(3, ReferenceTest.compareWithFiniteDifferences("g", g, new int[] {1, 2, 3}, 8, 0, LINEAR));
    }

    @Test
    void aWrongLargeElementDoesNotWidenTheTolerance() {
        // element 0 is wildly wrong and not sampled; the sampled ones are off by 100%. With the
        // tolerance scaled by max|g| = 1e6 they passed; scaled by the finite differences they fail.
        float[] g = {1e6f, 2, 2, 2};
        assertThrows(AssertionError.class,
                () -> ReferenceTest.compareWithFiniteDifferences("g", g, new int[] {1, 2, 3}, 8, 0, LINEAR));
    }

    @Test
    void kinksAreNotCounted() {
        // L(v) = |v[i]| at v = 0: the one-sided derivatives are -1 and 1 everywhere, so nothing is compared
        float[] g = {0, 0, 0};
        assertEquals(0, ReferenceTest.compareWithFiniteDifferences("g", g, new int[] {0, 1, 2}, 8, 0, (i, h) -> Math.abs(h)));
    }
}
