package cnnc.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GradCheck itself: it passes the interpreter, catches a wrong candidate, and skips kinks. */
@org.junit.jupiter.api.Timeout(30)
class GradCheckTest {

    /** The interpreter, with one read altered. */
    private static Candidate tampered(Model model, String name, int index, double factor) {
        Candidate honest = Candidate.of(new Interpreter(model));
        return new Candidate() {
            @Override
            public void load(Map<String, double[]> values) {
                honest.load(values);
            }

            @Override
            public void forwardBackward() {
                honest.forwardBackward();
            }

            @Override
            public double[] read(String n) {
                double[] v = honest.read(n);
                if (n.equals(name)) {
                    v[index] *= factor;
                }
                return v;
            }
        };
    }

    @Test
    void aWrongGradientElementFailsItsTensorOnly() {
        Model model = Models.gradcheck("lenet_small");
        GradCheck.Result result = GradCheck.check(model, tampered(model, "grad.c2.weight", 5, 1.001));
        assertFalse(result.passed(), result::table);
        assertFalse(result.tensor("c2.weight").passed());
        assertEquals(5, result.tensor("c2.weight").worstIndex());
        assertTrue(result.tensors().stream().filter(t -> !t.name().equals("c2.weight")).allMatch(GradCheck.TensorReport::passed));
        assertTrue(result.lossMatches());
        String table = result.table();
        assertTrue(table.lines().anyMatch(l -> l.startsWith("c2.weight ") && l.endsWith("FAIL")), table);
        assertTrue(table.endsWith("FAIL: 1 of 10\n"), table);
    }

    @Test
    void aWrongLossFails() {
        Model model = Models.gradcheck("pixels");
        GradCheck.Result result = GradCheck.check(model, tampered(model, "loss", 0, 1.01));
        assertFalse(result.lossMatches());
        assertFalse(result.passed());
        assertTrue(result.tensors().stream().allMatch(GradCheck.TensorReport::passed));
    }

    @Test
    void kinksAreSkippedNotCompared() {
        Model model = Models.compile("""
                network kinks {
                    input x : 1x2x2;
                    target z : 2;
                    r = relu(x);
                    p = maxpool(r, window: 2x2);
                    f = full(p, 2);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                }
                """);
        Map<String, double[]> values = Seeds.values(model, 3);
        // x[0] sits on relu's kink; x[1] and x[3] tie for the maximum.
        values.put("x", new double[] {0, 0.7, -0.5, 0.7});
        GradCheck.Result result = GradCheck.check(model, Candidate.of(new Interpreter(model)), values, GradCheck.Settings.defaults());
        assertTrue(result.passed(), result::table);
        GradCheck.TensorReport x = result.tensor("x");
        assertEquals(3, x.skipped(), result::table);
        assertEquals(1, x.checked());
        assertEquals(2, x.worstIndex(), "only x[2] is smooth");
    }

    @Test
    void samplingChecksAtMostTheAskedNumberOfElements() {
        Model model = Models.gradcheck("conv_anchors");
        GradCheck.Result result = GradCheck.check(model, Candidate.of(new Interpreter(model)),
                GradCheck.Settings.defaults().withSeed(7).withMaxPerTensor(10));
        assertTrue(result.passed(), result::table);
        assertEquals(10, result.tensor("f.weight").checked());
        assertEquals(3, result.tensor("c1.bias").checked());
    }

    @Test
    void anInputWithoutSensitivityIsNotedNotChecked() {
        Model model = Pipeline.compile(SourceFile.of("pixels.cnn", """
                network pixels {
                    input x : 1x3x3;
                    target z : 2x3x3;
                    c = conv(x, 2, kernel: 3x3);
                    y = softmax(c);
                    loss cross_entropy(y, z);
                }
                """), Options.defaults());
        GradCheck.Result result = GradCheck.check(model, Candidate.of(new Interpreter(model)));
        assertTrue(result.passed(), result::table);
        assertEquals(java.util.List.of("c.weight", "c.bias"), result.tensors().stream().map(GradCheck.TensorReport::name).toList());
        assertTrue(result.table().contains("note: x not checked"), result::table);
    }
}
