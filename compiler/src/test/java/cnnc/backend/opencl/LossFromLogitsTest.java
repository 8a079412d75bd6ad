package cnnc.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.interp.Interpreter;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.opencl.OpenClNetwork;
import cnnc.runtime.opencl.Plan;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cross-entropy loss is computed from the logits, as PyTorch's {@code cross_entropy} does through
 * {@code log_softmax}: where the target class's float softmax output underflows to 0 the loss is
 * still finite and equal to {@code max_c h + log Σ exp(h - max) - h_target} (fuzzing found
 * {@code +Infinity} when it was {@code -log y}: docs/fuzzing.md). Checked on both Java paths, OpenCL
 * and the float64 interpreter against that formula evaluated here in double.
 */
@Timeout(120)
class LossFromLogitsTest {

    /** Logits 0, 200, -200 for a sample of class 0: {@code exp(-200)} is 0 in float. */
    static final String MODEL = """
            network stable {
                input x : 3;
                target z : 3;
                f = full(x, 3);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;
    static final float[] WEIGHT = {0, 0, 0, 200, 0, 0, -200, 0, 0};
    static final float[] X = {1, 0, 0};
    static final float[] Z = {1, 0, 0};

    /** {@code J = -(h_0 - max - log Σ exp(h - max))} for logits {@code 0, 200, -200}, in double. */
    static double expected() {
        double[] h = {0, 200, -200};
        double max = 200;
        double sum = 0;
        for (double v : h) {
            sum += Math.exp(v - max);
        }
        return -(h[0] - max - Math.log(sum));
    }

    static Model model() {
        return Pipeline.compile(SourceFile.of("stable.cnn", MODEL), Options.defaults().withBatch(1));
    }

    static void set(Map<String, float[]> tensors) {
        System.arraycopy(WEIGHT, 0, tensors.get("f.weight"), 0, WEIGHT.length);
        java.util.Arrays.fill(tensors.get("f.bias"), 0f);
        System.arraycopy(X, 0, tensors.get("x"), 0, 3);
        System.arraycopy(Z, 0, tensors.get("z"), 0, 3);
    }

    @Test
    void javaLossIsFiniteWhereTheSoftmaxUnderflows() {
        for (boolean vector : new boolean[] {false, true}) {
            try (Network net = JaninoLoader.compile(JavaBackend.generate(model(), "cnnc.generated", vector)).instantiate()) {
                set(Map.of("f.weight", net.tensor("f.weight"), "f.bias", net.tensor("f.bias"), "x", net.tensor("x"), "z", net.tensor("z")));
                net.forward();
                assertEquals(0f, net.tensor("y")[0], "the test needs y to underflow to 0");
                assertEquals(expected(), net.loss(), 1e-4, "vector " + vector);
                net.backward();
                float[] g = net.tensor("grad.f");
                assertEquals(-1f, g[0], 1e-6);
                assertEquals(1f, g[1], 1e-6);
            }
        }
    }

    @Test
    void openClLossIsFiniteWhereTheSoftmaxUnderflows() {
        OpenClBackend.Program program = OpenClBackend.generate(model());
        try (OpenClNetwork net = new OpenClNetwork(Plan.parse(program.plan().toText()), program.source(), OpenClBackendTest.device())) {
            set(Map.of("f.weight", net.tensor("f.weight"), "f.bias", net.tensor("f.bias"), "x", net.tensor("x"), "z", net.tensor("z")));
            net.forward();
            assertTrue(Float.isFinite(net.loss()), "loss " + net.loss());
            assertEquals(expected(), net.loss(), 1e-4);
        }
    }

    @Test
    void interpreterComputesTheSameFromTheLogits() {
        Interpreter ref = new Interpreter(model());
        double[] w = new double[WEIGHT.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = WEIGHT[i];
        }
        ref.set("f.weight", w);
        ref.set("f.bias", new double[3]);
        ref.set("x", new double[] {1, 0, 0});
        ref.set("z", new double[] {1, 0, 0});
        ref.forward(true);
        assertEquals(expected(), ref.loss(), 1e-9);
    }
}
