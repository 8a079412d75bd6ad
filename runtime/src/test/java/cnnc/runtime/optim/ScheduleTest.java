package cnnc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cnnc.runtime.testing.BufferNetwork;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class ScheduleTest {

    @Test
    void cosineStartsFullHalvesAtTheMiddleAndEndsNearZero() {
        assertEquals(1.0, Schedule.COSINE.factor(0, 100), 0);
        assertEquals(0.5, Schedule.COSINE.factor(50, 100), 1e-15);
        // ½(1 + cos(π·99/100)) = 2.4672e-4: the last step still moves the weights
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.99)), Schedule.COSINE.factor(99, 100), 1e-15);
        assertEquals(2.4672e-4, Schedule.COSINE.factor(99, 100), 1e-8);
        assertEquals(0.5 * (1 + Math.cos(Math.PI / 4)), Schedule.COSINE.factor(25, 100), 1e-15);
        for (long s = 1; s < 100; s++) {
            double a = Schedule.COSINE.factor(s - 1, 100);
            double b = Schedule.COSINE.factor(s, 100);
            assertEquals(true, b < a, "decreasing at step " + s);
        }
    }

    @Test
    void constantIsOneEverywhere() {
        for (long s = 0; s < 10; s++) {
            assertEquals(1.0, Schedule.CONSTANT.factor(s, 10), 0);
        }
    }

    @Test
    void namesRoundTripAndUnknownNamesAreRefused() {
        for (Schedule s : Schedule.values()) {
            assertEquals(s, Schedule.of(s.label()));
        }
        assertEquals("no learning-rate schedule 'linear': constant or cosine",
                assertThrows(IllegalArgumentException.class, () -> Schedule.of("linear")).getMessage());
    }

    /** A factor scales the step exactly as the same optimizer with lr times the factor (sgd and adam). */
    @Test
    void theFactorScalesTheLearningRate() {
        for (String kind : new String[] {"sgd", "adam"}) {
            BufferNetwork a = OptimizerTest.net();
            BufferNetwork b = OptimizerTest.net();
            Optimizer scaled = kind.equals("sgd") ? new Sgd(a, 0.1, 0, 0, false) : new Adam(a, 0.01, 0.9, 0.999, 1e-8, 0);
            Optimizer plain = kind.equals("sgd") ? new Sgd(b, 0.025, 0, 0, false) : new Adam(b, 0.0025, 0.9, 0.999, 1e-8, 0);
            scaled.setLearningRateFactor(0.25);
            assertArrayEquals(OptimizerTest.run(b, plain, 3)[2], OptimizerTest.run(a, scaled, 3)[2], 1e-7f, kind);
        }
    }

    /** Factor 1 is bit for bit the configured rate: a constant schedule changes nothing. */
    @Test
    void factorOneChangesNoBit() {
        BufferNetwork a = OptimizerTest.net();
        BufferNetwork b = OptimizerTest.net();
        Sgd x = new Sgd(a, 0.05, 0.9, 0.01, false);
        x.setLearningRateFactor(1.0);
        float[][] wa = OptimizerTest.run(a, x, 3);
        float[][] wb = OptimizerTest.run(b, new Sgd(b, 0.05, 0.9, 0.01, false), 3);
        assertArrayEquals(wb[2], wa[2], 0f);
        assertThrows(IllegalArgumentException.class, () -> x.setLearningRateFactor(-1));
        assertThrows(IllegalArgumentException.class, () -> x.setLearningRateFactor(Double.NaN));
    }
}
