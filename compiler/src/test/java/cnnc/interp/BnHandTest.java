package cnnc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cnnc.ir.Model;
import org.junit.jupiter.api.Test;

/**
 * bn by hand (docs/language.md §3): biased batch variance in the normalization, PyTorch's unbiased variance in
 * the running statistics, statistics per element (over t) or per channel (over t, i, j), and
 * inference with the running statistics.
 */
@org.junit.jupiter.api.Timeout(30)
class BnHandTest {

    private static final double EPS = 1e-5;
    private static final double TOL = 1e-12;

    private static Interpreter bn(String shape, String per, int batch) {
        Model model = Models.compile("inline.cnn", "network n { input x : " + shape + "; b = bn(x" + per + "); }",
                cnnc.front.Options.defaults().withTraining(false).withBatch(batch));
        return new Interpreter(model);
    }

    @Test
    void perElementNormalizesEveryPositionOverTheBatch() {
        // x: 2 samples of 1x1x2: [1, 2] and [3, 6]. Position 0: μ 2, σ² 1; position 1: μ 4, σ² 4.
        Interpreter interp = bn("1x1x2", "", 2);
        interp.set("x", new double[] {1, 2, 3, 6});
        interp.set("b.gamma", new double[] {2, 3});
        interp.set("b.beta", new double[] {0.5, -1});
        interp.forward(true);
        double s0 = Math.sqrt(1 + EPS);
        double s1 = Math.sqrt(4 + EPS);
        assertArrayEquals(new double[] {2 * -1 / s0 + 0.5, 3 * -2 / s1 - 1, 2 * 1 / s0 + 0.5, 3 * 2 / s1 - 1},
                interp.buffer("b"), TOL);
        assertArrayEquals(new double[] {2, 4}, interp.buffer("b.batch_mean"), TOL);
        assertArrayEquals(new double[] {1 / s0, 1 / s1}, interp.buffer("b.batch_invstd"), TOL);
        // run = 0.9·run + 0.1·batch from (0, 1), the variance unbiased: σ²·2/1.
        assertArrayEquals(new double[] {0.2, 0.4}, interp.buffer("b.running_mean"), TOL);
        assertArrayEquals(new double[] {0.9 + 0.1 * 2, 0.9 + 0.1 * 8}, interp.buffer("b.running_var"), TOL);
    }

    @Test
    void perChannelPoolsSamplesAndPositions() {
        // Channel 0 holds 1, 2 | 3, 6 (μ 3, σ² 3.5); channel 1 holds 0, 0 | 0, 4 (μ 1, σ² 3); n = 4.
        Interpreter interp = bn("2x1x2", ", per: channel, momentum: 0.5", 2);
        interp.set("x", new double[] {1, 2, 0, 0, 3, 6, 0, 4});
        interp.forward(true);
        double s0 = Math.sqrt(3.5 + EPS);
        double s1 = Math.sqrt(3 + EPS);
        assertArrayEquals(new double[] {-2 / s0, -1 / s0, -1 / s1, -1 / s1, 0, 3 / s0, -1 / s1, 3 / s1},
                interp.buffer("b"), TOL);
        assertArrayEquals(new double[] {0.5 * 3, 0.5 * 1}, interp.buffer("b.running_mean"), TOL);
        assertArrayEquals(new double[] {0.5 + 0.5 * 3.5 * 4 / 3, 0.5 + 0.5 * 3 * 4 / 3}, interp.buffer("b.running_var"), TOL);
    }

    @Test
    void inferenceUsesTheRunningStatisticsAndLeavesThemAlone() {
        Interpreter interp = bn("1x1x2", ", eps: 0.01", 1);
        interp.set("x", new double[] {1, 2});
        interp.set("b.gamma", new double[] {2, 3});
        interp.set("b.beta", new double[] {0.5, -1});
        interp.set("b.running_mean", new double[] {0.5, -1});
        interp.set("b.running_var", new double[] {4, 0.25});
        interp.forward(false);
        assertArrayEquals(new double[] {2 * 0.5 / Math.sqrt(4.01) + 0.5, 3 * 3 / Math.sqrt(0.26) - 1}, interp.buffer("b"), TOL);
        assertArrayEquals(new double[] {0.5, -1}, interp.buffer("b.running_mean"));
        assertArrayEquals(new double[] {4, 0.25}, interp.buffer("b.running_var"));
        // One value per statistic: training is undefined (the front end refuses it for training builds).
        assertThrows(IllegalStateException.class, () -> interp.forward(true));
    }
}
