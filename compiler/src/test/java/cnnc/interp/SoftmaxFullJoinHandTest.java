package cnnc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import cnnc.ir.Model;
import org.junit.jupiter.api.Test;

/** softmax, cross_entropy, full, add and concat by hand (docs/language.md §3): layouts and reductions. */
@org.junit.jupiter.api.Timeout(30)
class SoftmaxFullJoinHandTest {

    private static final double TOL = 1e-12;

    @Test
    void softmaxNormalizesOverChannelsAtEveryPixelAndTheLossAveragesOverTheBatch() {
        Model model = Models.compile("""
                network n {
                    input x : 3x1x2;
                    target z : 3x1x2;
                    y = softmax(x);
                    loss cross_entropy(y, z);
                    train { batch 2; }
                }
                """);
        Interpreter interp = new Interpreter(model);
        // Sample 0: pixel 0 has channels (0, ln 2, ln 3), pixel 1 (1000, 1000, 1000) — no overflow.
        // Sample 1: pixel 0 (0, -1000, 0) — y underflows to 0 where z is 0; pixel 1 (5, 5, 5).
        double l2 = Math.log(2);
        double l3 = Math.log(3);
        interp.set("x", new double[] {0, 1000, l2, 1000, l3, 1000, 0, 5, -1000, 5, 0, 5});
        interp.set("z", new double[] {0, 1, 0, 0, 1, 0, 0.5, 0, 0, 0, 0.5, 1});
        interp.forward(true);
        double t = 1 / 3.0;
        assertArrayEquals(new double[] {1 / 6.0, t, 2 / 6.0, t, 3 / 6.0, t, 0.5, t, 0, t, 0.5, t}, interp.buffer("y"), TOL);
        // J = -(1/T) Σ z·log y, T = 2; 0·log 0 counts 0.
        double j = -(Math.log(3 / 6.0) + Math.log(t) + 0.5 * Math.log(0.5) + 0.5 * Math.log(0.5) + Math.log(t)) / 2;
        assertEquals(j, interp.loss(), TOL);
        interp.backward();
        // The backward graph starts at the softmax input: (y - z)/T.
        double[] y = interp.buffer("y");
        double[] z = interp.buffer("z");
        double[] expected = new double[12];
        for (int e = 0; e < 12; e++) {
            expected[e] = (y[e] - z[e]) / 2;
        }
        assertArrayEquals(expected, interp.buffer("grad.x"), TOL);
    }

    @Test
    void fullFlattensEachSampleInChannelRowColumnOrder() {
        Model model = Models.inference("network n { input x : 2x1x2; f = full(x, 2); train { batch 2; } }");
        Interpreter interp = new Interpreter(model);
        interp.set("x", new double[] {1, 2, 3, 4, 5, 6, 7, 8});
        interp.set("f.weight", new double[] {1, 10, 100, 1000, 0, 0, 0, -1});
        interp.set("f.bias", new double[] {0.5, 0.25});
        interp.forward(false);
        assertArrayEquals(new double[] {4321.5, -3.75, 8765.5, -7.75}, interp.buffer("f"), TOL);
    }

    @Test
    void concatStacksChannelsPerSampleAndAddSums() {
        Model model = Models.inference("""
                network n {
                    input x : 1x1x2;
                    a = concat(x, x, x);
                    s = add(x, x);
                    train { batch 2; }
                }
                """);
        Interpreter interp = new Interpreter(model);
        interp.set("x", new double[] {1, 2, 3, 4});
        interp.forward(false);
        assertArrayEquals(new double[] {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, interp.buffer("a"));
        assertArrayEquals(new double[] {2, 4, 6, 8}, interp.buffer("s"));
    }

    @Test
    void activationsAndTheirBackward() {
        Model model = Models.compile("""
                network n {
                    input x : 3;
                    target z : 3;
                    r = relu(x);
                    s = sigmoid(r);
                    t = tanh(s);
                    y = softmax(t);
                    loss cross_entropy(y, z);
                }
                """);
        Interpreter interp = new Interpreter(model);
        interp.set("x", new double[] {-1, 0, 2});
        interp.set("z", new double[] {0.2, 0.3, 0.5});
        interp.forward(true);
        assertArrayEquals(new double[] {0, 0, 2}, interp.buffer("r"));
        double s2 = 1 / (1 + Math.exp(-2));
        assertArrayEquals(new double[] {0.5, 0.5, s2}, interp.buffer("s"), TOL);
        assertArrayEquals(new double[] {Math.tanh(0.5), Math.tanh(0.5), Math.tanh(s2)}, interp.buffer("t"), TOL);
        interp.backward();
        // relu'(0) = 0 (docs/language.md §3): x = 0 gets no sensitivity, as x < 0.
        double[] dx = interp.buffer("grad.x");
        assertEquals(0, dx[0]);
        assertEquals(0, dx[1]);
        double[] ds = interp.buffer("grad.s");
        assertEquals(ds[2] * s2 * (1 - s2), interp.buffer("grad.r")[2], TOL);
        assertEquals(interp.buffer("grad.r")[2], dx[2]);
    }
}
