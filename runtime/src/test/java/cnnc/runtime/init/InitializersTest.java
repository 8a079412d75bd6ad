package cnnc.runtime.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec.Init;
import cnnc.runtime.TensorSpec.Role;
import cnnc.runtime.testing.BufferNetwork;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class InitializersTest {

    static BufferNetwork net() {
        return new BufferNetwork("n", 1)
                .param("c1.weight", Init.HE, 64, 32, 5, 5)   // fan_in 32*25 = 800, fan_out 64*25 = 1600
                .param("c1.bias", Init.ZERO, 64)
                .param("b1.gamma", Init.ONE, 64)
                .param("b1.beta", Init.ZERO, 64)
                .add("b1.running_mean", Role.STATE, DType.F32, Init.ZERO, 64)
                .add("b1.running_var", Role.STATE, DType.F32, Init.ONE, 64)
                .param("f1.weight", Init.HE, 100, 400)       // fan_in 400, fan_out 100
                .param("f1.bias", Init.ZERO, 100);
    }

    static double[] meanStd(float[] a) {
        double s = 0;
        double q = 0;
        for (float v : a) {
            s += v;
            q += (double) v * v;
        }
        double mean = s / a.length;
        return new double[] {mean, Math.sqrt(q / a.length - mean * mean)};
    }

    @Test
    void theSpecsInitDecidesNotTheName() {
        BufferNetwork n = new BufferNetwork("n", 1)
                .param("a.weight", Init.ZERO, 4, 3)
                .param("b.bias", Init.XAVIER, 40, 30)
                .param("c.gamma", Init.ZERO, 5)
                .param("d.beta", Init.ONE, 5);
        Initializers.initialize(n, 3);
        assertArrayEquals(new float[12], n.tensor("a.weight"));
        assertEquals(Math.sqrt(2.0 / 70), meanStd(n.tensor("b.bias"))[1], Math.sqrt(2.0 / 70) * 0.1);
        assertArrayEquals(new float[5], n.tensor("c.gamma"));
        float[] ones = new float[5];
        Arrays.fill(ones, 1f);
        assertArrayEquals(ones, n.tensor("d.beta"));
    }

    @Test
    void heAndXavierHaveTheDocumentedStandardDeviations() {
        BufferNetwork n = net();
        Initializers.initialize(n, 42, Map.of("f1.weight", "xavier"));
        double[] c = meanStd(n.tensor("c1.weight"));
        // he: sqrt(2/800) = 0.05; 51200 samples give the std to ~0.3%, the mean to ~0.0002
        assertEquals(0.05, c[1], 0.05 * 0.02);
        assertEquals(0, c[0], 0.001);
        double[] f = meanStd(n.tensor("f1.weight"));
        // xavier: sqrt(2/(400+100)) = 0.063246
        assertEquals(0.063246, f[1], 0.063246 * 0.02);
        assertEquals(0, f[0], 0.001);
    }

    @Test
    void fansComeFromTheShape() {
        assertEquals(Math.sqrt(2.0 / (3 * 5 * 5)), Initializers.std("he", "c", new int[] {6, 3, 5, 5}), 1e-15);
        assertEquals(Math.sqrt(2.0 / (3 * 25 + 6 * 25)), Initializers.std("xavier", "c", new int[] {6, 3, 5, 5}), 1e-15);
        assertEquals(Math.sqrt(2.0 / 400), Initializers.std("he", "f", new int[] {120, 400}), 1e-15);
        assertEquals(Math.sqrt(2.0 / 520), Initializers.std("xavier", "f", new int[] {120, 400}), 1e-15);
    }

    @Test
    void biasesAndBatchNormStartAtTheirNeutralValues() {
        BufferNetwork n = net().fillDistinct(5);
        float gradBefore = n.tensor("grad.c1.bias")[0];
        Initializers.initialize(n, 1);
        float[] zeros = new float[64];
        float[] ones = new float[64];
        Arrays.fill(ones, 1f);
        assertArrayEquals(zeros, n.tensor("c1.bias"));
        assertArrayEquals(zeros, n.tensor("b1.beta"));
        assertArrayEquals(zeros, n.tensor("b1.running_mean"));
        assertArrayEquals(ones, n.tensor("b1.gamma"));
        assertArrayEquals(ones, n.tensor("b1.running_var"));
        assertArrayEquals(new float[100], n.tensor("f1.bias"));
        assertEquals(gradBefore, n.tensor("grad.c1.bias")[0]); // gradients are not touched
    }

    @Test
    void eachWeightDependsOnlyOnSeedAndItsName() {
        BufferNetwork a = net();
        Initializers.initialize(a, 7);
        BufferNetwork b = new BufferNetwork("other", 1)
                .param("c0.weight", Init.HE, 8, 1, 3, 3)     // a new layer before the others
                .param("f1.weight", Init.HE, 100, 400)
                .param("c1.weight", Init.HE, 64, 32, 5, 5);
        Initializers.initialize(b, 7);
        assertArrayEquals(a.tensor("c1.weight"), b.tensor("c1.weight"));
        assertArrayEquals(a.tensor("f1.weight"), b.tensor("f1.weight"));
        BufferNetwork c = net();
        Initializers.initialize(c, 8);
        assertFalse(Arrays.equals(a.tensor("c1.weight"), c.tensor("c1.weight")));
        assertFalse(Arrays.equals(a.tensor("c1.weight"), Arrays.copyOf(a.tensor("f1.weight"), 51200)));
    }

    @Test
    void refusesWhatItCannotInitialize() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Initializers.initialize(net(), 1, Map.of("c1.weight", "orthogonal"))).getMessage()
                .contains("unknown initializer 'orthogonal'"));
        BufferNetwork odd = new BufferNetwork("n", 1).param("x.weight", Init.HE, 2, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> Initializers.initialize(odd, 1));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Initializers.initialize(net(), 1, Map.of("c1.bias", "xavier"))).getMessage()
                .contains("c1.bias starts at zero"));
    }
}
