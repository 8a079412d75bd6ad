package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.runtime.Network;
import org.junit.jupiter.api.Test;

/**
 * The piecewise activations' select in plain-Java classes, written as masks on the bits instead of a
 * float select (ActivationEmitter), against the definitions written here, bit for bit: relu(v) = v if
 * v > 0 else +0, leaky_relu(v) = v if v > 0 else slope·v; a NaN, -0 and +0 input all take the second
 * branch, as the select did. The Vector API class (lane masks and blends, other code) must agree too.
 * (The backward steps render through the same code; VectorPathTest compares them between the classes.)
 */
@org.junit.jupiter.api.Timeout(120)
class PiecewiseSelectTest {

    private static final float[] VALUES = {Float.NaN, -0f, 0f, 1.5f, -2.25f, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e-39f, -7f, 0.125f};

    @Test
    void masksGiveTheSelectsBits() {
        String text = """
                network sel {
                    input x : 1x3x4;
                    target z : 2;
                    r = relu(x);
                    l = leaky_relu(x, slope: 0.25);
                    s = add(r, l);
                    f = full(s, 2);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                }
                """;
        Model m = cnnc.passes.Pipeline.compile(cnnc.diag.SourceFile.of("sel.cnn", text), Options.defaults().withBatch(2));
        for (boolean vector : new boolean[] {false, true}) {
            JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", vector);
            assertEquals(!vector, src.text().contains("Float.floatToRawIntBits(v) & s"), "the masks in the plain-Java class");
            Network net = JaninoLoader.compile(src).instantiate();
            float[] x = net.tensor("x");
            for (int i = 0; i < x.length; i++) {
                x[i] = VALUES[i % VALUES.length];
            }
            net.tensor("z")[0] = 1f;
            net.tensor("z")[3] = 1f;
            net.forward();
            float[] r = net.tensor("r"), l = net.tensor("l");
            int nan = 0;
            for (int i = 0; i < x.length; i++) {
                float v = x[i];
                boolean pos = v > 0f;
                String at = (vector ? "vector" : "plain") + " class, x = " + v;
                bits(pos ? v : 0f, r[i], at + ": relu");
                bits(pos ? v : 0.25f * v, l[i], at + ": leaky_relu");
                nan += Float.isNaN(l[i]) ? 1 : 0;
            }
            assertTrue(nan > 0, "a NaN input gives leaky_relu a NaN (slope·NaN)");
            net.close();
        }
    }

    private static void bits(float expected, float got, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got), what + ": expected " + expected + ", got " + got);
    }
}
