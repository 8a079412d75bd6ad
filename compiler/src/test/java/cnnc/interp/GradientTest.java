package cnnc.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Role;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The interpreter's backward graph against float64 central differences of its own loss, for every
 * element of every parameter and of the input, on small models that together run every operation
 * and variant ({@link CoverageTest} proves that).
 */
@org.junit.jupiter.api.Timeout(60)
class GradientTest {

    private static final java.util.Set<String> ZERO_IN_BN = java.util.Set.of("grad.c.bias", "grad.c2.bias", "grad.b0.beta");

    @ParameterizedTest
    @FieldSource("cnnc.interp.Models#GRADCHECK")
    void backwardMatchesFiniteDifferences(String name) {
        Model model = Models.gradcheck(name);
        GradCheck.Result result = GradCheck.check(model, Candidate.of(new Interpreter(model)));
        assertTrue(result.passed(), result::table);
        long inputs = model.forward().sources().stream().filter(b -> b.role() == Role.INPUT).count();
        long params = model.forward().sources().stream().filter(b -> b.role() == Role.PARAMETER).count();
        assertEquals(inputs + params, result.tensors().size(), result::table);
        for (GradCheck.TensorReport t : result.tensors()) {
            // Kinks are crossed only by chance; nearly every element must really be compared.
            assertTrue(t.skipped() * 20 <= t.shape().size(), () -> t.name() + " skipped too many\n" + result.table());
            assertEquals(t.shape().size(), t.checked() + t.skipped());
        }
    }

    /** samples/lenet5.cnn at batch 2, a sample of 6 elements per tensor. */
    @org.junit.jupiter.api.Test
    void theLeNetSamplePasses() throws java.io.IOException {
        String text = java.nio.file.Files.readString(java.nio.file.Path.of("samples/lenet5.cnn"));
        Model model = Models.compile("lenet5.cnn", text, cnnc.front.Options.defaults().withBatch(2).withInputSensitivity(true));
        GradCheck.Result result = GradCheck.check(model, Candidate.of(new Interpreter(model)),
                GradCheck.Settings.defaults().withMaxPerTensor(6));
        assertTrue(result.passed(), result::table);
        assertEquals(11, result.tensors().size());
    }

    /** A gradient this test compares is not trivially zero: the check has teeth. */
    @ParameterizedTest
    @FieldSource("cnnc.interp.Models#GRADCHECK")
    void everyDerivedGradientIsNonZero(String name) {
        Model model = Models.gradcheck(name);
        Interpreter interp = new Interpreter(model);
        Seeds.fill(interp, 1);
        interp.forward(true);
        interp.backward();
        for (Buffer b : model.backwardGraph().buffers(Role.GRADIENT)) {
            double norm = 0;
            for (double v : interp.buffer(b.name())) {
                norm += v * v;
            }
            // A shift the same for every value of a bn statistic is removed by that bn: a conv bias
            // before a bn, and b0.beta (per channel) before conv c and the per-element bn b1.
            boolean removedByBn = name.equals("bn") && ZERO_IN_BN.contains(b.name());
            assertTrue(removedByBn ? norm < 1e-20 : norm > 1e-12, b.name() + " has norm² " + norm);
        }
    }
}
