package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bn's per-channel sums on the Vector API (two {@code DoubleVector}s of 4 lanes for the 8 accumulators,
 * {@link BnEmitter}) add the same values in the same order as the plain-Java class's 8 scalar
 * accumulators: every tensor of a training step is bit for bit the same, on planes whose size leaves
 * every tail (hw mod 8 = 0, 1, 4, 7) and on one below 8 values (scalar sums on both paths). Two bn's in
 * a row, then avgpool and softmax, whose code is the same on both paths: the first bn's sums are
 * bn_grad's (its input has no sensitivity), the second's are bn_bf's, and both forward sums run.
 * (Against float64 and PyTorch: ReferenceTest and the fixture tests, on the Vector API classes.)
 */
@org.junit.jupiter.api.Timeout(120)
class BnWideSumsTest {

    static Model model(int h, int w, int batch) {
        String text = """
                network wide {
                    input x : 4x%dx%d;
                    target z : 4;
                    a = bn(x, per: channel);
                    n = bn(a, per: channel);
                    p = avgpool(n, window: %dx%d);
                    y = softmax(p);
                    loss cross_entropy(y, z);
                }
                """.formatted(h, w, h, w);
        return Models.model("wide.cnn", text, batch);
    }

    /**
     * Values of magnitudes 2^-30 .. 2^30: sums of floats in [-1, 1] are exact in double whatever their order
     * (so they could not show a change of order); these are not.
     */
    static void spread(float[] x) {
        java.util.Random r = new java.util.Random(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(61) - 30));
        }
    }

    @ParameterizedTest(name = "{0}x{1}, batch {2}")
    @CsvSource({"7, 7, 3", "14, 14, 5", "9, 7, 3", "4, 4, 5", "3, 2, 3"})
    void vectorSumsGiveTheScalarBits(int h, int w, int batch) {
        Model m = model(h, w, batch);
        JavaBackend.Source scalarSource = JavaBackend.generate(m, "cnnc.generated", false);
        JavaBackend.Source vectorSource = JavaBackend.generate(m, "cnnc.generated", true);
        boolean wide = h * w >= BnEmitter.LANES;
        assertEquals(wide, vectorSource.text().contains("DoubleVector dsumA"), "vector sums where a plane has 8 values or more");
        assertEquals(wide, vectorSource.text().contains("DoubleVector sqA"), "the forward sums too");
        Network scalar = JaninoLoader.compile(scalarSource).instantiate();
        Network vector = JaninoLoader.compile(vectorSource).instantiate();
        try {
            for (Network n : new Network[] {scalar, vector}) {
                Models.fill(n, 7);
                spread(n.tensor(n.inputName()));
                n.setThreads(2);
                n.forward();
                n.backward();
            }
            int compared = Models.assertSameBits(scalar, vector, "plain-Java and Vector API classes");
            assertTrue(compared >= 12, "only " + compared + " tensors compared");
        } finally {
            scalar.setThreads(1);
            vector.setThreads(1);
        }
    }
}
