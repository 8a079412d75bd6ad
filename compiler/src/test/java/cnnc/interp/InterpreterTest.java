package cnnc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.diag.Pos;
import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The interpreter's API, its initial state, and the seeded values it is fed. */
@org.junit.jupiter.api.Timeout(30)
class InterpreterTest {

    @Test
    void startsFromTheSpecsInitialValues() {
        Interpreter interp = new Interpreter(Models.gradcheck("bn"));
        assertArrayEquals(new double[] {1, 1}, interp.buffer("b0.gamma"));
        assertArrayEquals(new double[] {0, 0}, interp.buffer("b0.beta"));
        assertArrayEquals(new double[] {0, 0}, interp.buffer("b0.running_mean"));
        assertArrayEquals(new double[] {1, 1}, interp.buffer("b0.running_var"));
    }

    @Test
    void runsAreRepeatableAndOnlyTrainingMovesRunningStatistics() {
        Model model = Models.gradcheck("bn");
        Interpreter interp = new Interpreter(model);
        Seeds.fill(interp, 5);
        interp.forward(true);
        interp.backward();
        double loss = interp.loss();
        double[] grad = interp.buffer("grad.c.weight").clone();
        double[] running = interp.buffer("b1.running_mean").clone();
        interp.forward(true);
        interp.backward();
        assertEquals(loss, interp.loss());
        assertArrayEquals(grad, interp.buffer("grad.c.weight"));
        assertNotEquals(running[0], interp.buffer("b1.running_mean")[0]);
        running = interp.buffer("b1.running_mean").clone();
        interp.forward(false);
        assertArrayEquals(running, interp.buffer("b1.running_mean"));
        assertNotEquals(loss, interp.loss());
    }

    @Test
    void misuseSaysWhatIsWrong() {
        Model model = Models.gradcheck("lenet_small");
        Interpreter interp = new Interpreter(model);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> interp.set("x", new double[3])).getMessage()
                .contains("holds 192 values"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> interp.set("c1", new double[3])).getMessage()
                .contains("no input, target, parameter or state named c1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> interp.buffer("c1")).getMessage().contains("no value yet"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> interp.buffer("path.p1")).getMessage().contains("use path()"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> interp.buffer("nothing")).getMessage().contains("no buffer named"));
        assertThrows(IllegalStateException.class, interp::backward);
        interp.forward(false);
        assertThrows(IllegalStateException.class, interp::backward);
    }

    @Test
    void accumulateSumsInTheOrderOfItsInputs() {
        Interpreter interp = new Interpreter(Models.gradcheck("join"));
        Shape one = Shape.of(1);
        List<Buffer> parts = List.of(Buffer.f32("p0", Role.PARTIAL, one), Buffer.f32("p1", Role.PARTIAL, one),
                Buffer.f32("p2", Role.PARTIAL, one));
        Buffer sum = Buffer.f32("sum", Role.SENSITIVITY, one);
        interp.put("p0", new double[] {1e16});
        interp.put("p1", new double[] {1});
        interp.put("p2", new double[] {-1e16});
        interp.execute(new Step(new Accumulate(3), parts, List.of(sum), "s", Pos.NONE), true);
        assertEquals(0, interp.buffer("sum")[0], "(1e16 + 1) - 1e16 rounds to 0");
        interp.execute(new Step(new Accumulate(3), List.of(parts.get(0), parts.get(2), parts.get(1)), List.of(sum), "s", Pos.NONE), true);
        assertEquals(1, interp.buffer("sum")[0], "(1e16 - 1e16) + 1");
    }

    @Test
    void seedsAreDeterministicAndTargetsAreDistributions() {
        Model model = Models.gradcheck("pixels");
        Map<String, double[]> a = Seeds.values(model, 9);
        Map<String, double[]> b = Seeds.values(model, 9);
        assertEquals(a.keySet(), b.keySet());
        a.forEach((name, v) -> assertArrayEquals(v, b.get(name), name));
        assertNotEquals(a.get("x")[0], Seeds.values(model, 10).get("x")[0]);
        for (boolean oneHot : new boolean[] {false, true}) {
            double[] z = Seeds.values(model, 9, oneHot).get("z");
            // z : 2x3x3x3 — at every (t, i, j) the 3 channels sum to 1.
            for (int t = 0; t < 2; t++) {
                for (int p = 0; p < 9; p++) {
                    double sum = 0;
                    for (int c = 0; c < 3; c++) {
                        double v = z[(t * 3 + c) * 9 + p];
                        assertTrue(v > 0 && !oneHot || v == 0 || v == 1);
                        sum += v;
                    }
                    assertEquals(1, sum, 1e-12);
                }
            }
        }
    }
}
