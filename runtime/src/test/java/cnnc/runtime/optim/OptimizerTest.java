package cnnc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.testing.BufferNetwork;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class OptimizerTest {

    static final float[] W0 = {1f, -2f, 0.5f};
    static final float[][] GRADS = {{0.5f, 0.1f, -1f}, {-0.2f, 0.3f, 0f}, {0.05f, -0.4f, 2f}};

    static BufferNetwork net() {
        BufferNetwork n = new BufferNetwork("n", 1).param("w", 3);
        System.arraycopy(W0, 0, n.tensor("w"), 0, 3);
        return n;
    }

    /** Runs steps with the gradients of GRADS; returns w after each step. */
    static float[][] run(BufferNetwork n, Optimizer o, int steps) {
        float[][] out = new float[steps][];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(GRADS[s], 0, n.tensor("grad.w"), 0, 3);
            o.step();
            out[s] = n.tensor("w").clone();
        }
        return out;
    }

    /** PyTorch's SGD in double, element by element, straight from its documentation. */
    static double[] sgdRef(double w, double[] gs, double lr, double mom, double wd, boolean nesterov) {
        double[] out = new double[gs.length];
        double v = 0;
        for (int t = 0; t < gs.length; t++) {
            double g = gs[t] + wd * w;
            v = t == 0 ? g : mom * v + g;
            w -= lr * (nesterov ? g + mom * v : mom == 0 ? g : v);
            out[t] = w;
        }
        return out;
    }

    /** PyTorch's Adam in double (bias-corrected m and v). */
    static double[] adamRef(double w, double[] gs, double lr, double b1, double b2, double eps, double wd) {
        double[] out = new double[gs.length];
        double m = 0;
        double v = 0;
        for (int t = 1; t <= gs.length; t++) {
            double g = gs[t - 1] + wd * w;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            double mHat = m / (1 - Math.pow(b1, t));
            double vHat = v / (1 - Math.pow(b2, t));
            w -= lr * mHat / (Math.sqrt(vHat) + eps);
            out[t - 1] = w;
        }
        return out;
    }

    static double[] column(int i) {
        double[] g = new double[GRADS.length];
        for (int s = 0; s < g.length; s++) {
            g[s] = GRADS[s][i];
        }
        return g;
    }

    @Test
    void plainSgdByHand() {
        BufferNetwork n = net();
        float[][] w = run(n, new Sgd(n, 0.1, 0, 0, false), 2);
        // w = 1 - 0.1*0.5 = 0.95; then 0.95 - 0.1*(-0.2) = 0.97
        assertEquals(0.95f, w[0][0], 1e-7);
        assertEquals(0.97f, w[1][0], 1e-7);
        // element 2: 0.5 + 0.1 = 0.6, unchanged by a zero gradient
        assertEquals(0.6f, w[1][2], 1e-7);
    }

    @Test
    void momentumAndDecayByHand() {
        BufferNetwork n = net();
        float[][] w = run(n, new Sgd(n, 0.1, 0.9, 0.01, false), 2);
        // g = 0.5 + 0.01*1 = 0.51, v = 0.51, w = 1 - 0.051 = 0.949
        assertEquals(0.949, w[0][0], 1e-6);
        // g = -0.2 + 0.01*0.949 = -0.19051, v = 0.9*0.51 - 0.19051 = 0.26849, w = 0.949 - 0.026849
        assertEquals(0.922151, w[1][0], 1e-6);
    }

    @Test
    void nesterovByHand() {
        BufferNetwork n = net();
        float[][] w = run(n, new Sgd(n, 0.1, 0.9, 0.01, true), 2);
        // v = 0.51, w = 1 - 0.1*(0.51 + 0.9*0.51) = 0.9031
        assertEquals(0.9031, w[0][0], 1e-6);
        // g = -0.2 + 0.01*0.9031 = -0.190969, v = 0.459 - 0.190969 = 0.268031,
        // w = 0.9031 - 0.1*(-0.190969 + 0.9*0.268031) = 0.89807411
        assertEquals(0.89807411, w[1][0], 1e-6);
    }

    @Test
    void sgdMatchesTheDoubleReferenceOnEveryElement() {
        for (boolean nesterov : new boolean[] {false, true}) {
            BufferNetwork n = net();
            float[][] w = run(n, new Sgd(n, 0.05, 0.8, 0.1, nesterov), 3);
            for (int i = 0; i < 3; i++) {
                double[] ref = sgdRef(W0[i], column(i), 0.05, 0.8, 0.1, nesterov);
                for (int s = 0; s < 3; s++) {
                    assertEquals(ref[s], w[s][i], 2e-6, "nesterov " + nesterov + " step " + s + " element " + i);
                }
            }
        }
    }

    @Test
    void adamByHand() {
        BufferNetwork n = net();
        float[][] w = run(n, new Adam(n, 0.1, 0.9, 0.999, 1e-8, 0), 2);
        // step 1: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25: w = 1 - 0.1*0.5/(0.5 + 1e-8) = 0.900000002
        assertEquals(0.900000002, w[0][0], 1e-6);
        // step 2: m = 0.025, v = 0.00028975, m^ = 0.025/0.19, v^ = 0.00028975/0.001999:
        // w = 0.9 - 0.1*0.1315789/0.3807196 = 0.8654394
        assertEquals(0.8654394, w[1][0], 1e-6);
    }

    @Test
    void adamMatchesTheDoubleReferenceWithAndWithoutDecay() {
        for (double wd : new double[] {0, 0.1}) {
            BufferNetwork n = net();
            float[][] w = run(n, new Adam(n, 0.01, 0.8, 0.99, 1e-6, wd), 3);
            for (int i = 0; i < 3; i++) {
                double[] ref = adamRef(W0[i], column(i), 0.01, 0.8, 0.99, 1e-6, wd);
                for (int s = 0; s < 3; s++) {
                    assertEquals(ref[s], w[s][i], 2e-6, "decay " + wd + " step " + s + " element " + i);
                }
            }
        }
    }

    @Test
    void stateRestoredIntoAFreshOptimizerContinuesBitIdentically() {
        BufferNetwork a = net();
        Optimizer oa = new Adam(a, 0.1, 0.9, 0.999, 1e-8, 0.01);
        run(a, oa, 2);
        BufferNetwork b = net();
        System.arraycopy(a.tensor("w"), 0, b.tensor("w"), 0, 3);
        Optimizer ob = new Adam(b, 0.1, 0.9, 0.999, 1e-8, 0.01);
        for (String slot : oa.slots()) {
            System.arraycopy(oa.state("w", slot), 0, ob.state("w", slot), 0, 3);
        }
        ob.setSteps(oa.steps());
        System.arraycopy(GRADS[2], 0, a.tensor("grad.w"), 0, 3);
        System.arraycopy(GRADS[2], 0, b.tensor("grad.w"), 0, 3);
        oa.step();
        ob.step();
        assertArrayEquals(a.tensor("w"), b.tensor("w"));
        assertEquals(3, ob.steps());
    }

    @Test
    void slotsPerKind() {
        BufferNetwork n = net();
        assertEquals(0, new Sgd(n, 0.1, 0, 0, false).slots().length);
        assertArrayEquals(new String[] {"v"}, new Sgd(n, 0.1, 0.5, 0, false).slots());
        assertArrayEquals(new String[] {"m", "v"}, new Adam(n, 0.1, 0.9, 0.999, 1e-8, 0).slots());
        assertThrows(IllegalArgumentException.class, () -> new Sgd(n, 0.1, 0, 0, false).state("w", "v"));
    }

    @Test
    void stepsDoNotAllocate() {
        BufferNetwork n = new BufferNetwork("n", 1).param("a", 1000).param("b", 10);
        Optimizer[] opts = {new Sgd(n, 0.01, 0.9, 0.001, true), new Adam(n, 0.001, 0.9, 0.999, 1e-8, 0.001)};
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (Optimizer o : opts) {
            o.step(); // warm up
            long id = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(id);
            for (int i = 0; i < 1000; i++) {
                o.step();
            }
            long allocated = mx.getThreadAllocatedBytes(id) - before;
            assertTrue(allocated < 16 * 1024, o.kind() + " allocated " + allocated + " bytes in 1000 steps");
        }
    }

    @Test
    void factoryAppliesDefaultsAndRefusesNonsense() {
        BufferNetwork n = net();
        Map<String, Object> args = new HashMap<>();
        args.put("lr", 0.05);
        args.put("momentum", 0.9);
        assertEquals("sgd(lr: 0.05, momentum: 0.9, decay: 0, nesterov: false)", Optimizers.create("sgd", args, n).describe());
        assertEquals("adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1.0E-8, decay: 0)",
                Optimizers.create("adam", Map.of("lr", 0.001), n).describe());
        assertEquals("sgd: unknown argument 'beta1' (sgd takes lr, momentum, decay, nesterov)",
                assertThrows(IllegalArgumentException.class,
                        () -> Optimizers.create("sgd", Map.of("lr", 1, "beta1", 0.9), n)).getMessage());
        assertEquals("adam: lr is required",
                assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", Map.of(), n)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("rmsprop", Map.of("lr", 1), n));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgd", Map.of("lr", -1), n));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgd", Map.of("lr", 1, "momentum", 1), n));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgd", Map.of("lr", 1, "nesterov", true), n));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgd", Map.of("lr", 1, "nesterov", 1), n));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", Map.of("lr", 1, "beta2", 1.5), n));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", Map.of("lr", 1, "eps", 0), n));
        Optimizer nest = Optimizers.create("sgd", Map.of("lr", 1, "momentum", 0.5, "nesterov", true), n);
        assertTrue(nest.describe().endsWith("nesterov: true)"));
    }
}
