package cnnc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Pool;
import org.junit.jupiter.api.Test;

/**
 * Pooling by hand (docs/language.md §3): the path tensor {@code i'·W + j'} of the first maximum in row-major
 * window order, overlapping windows accumulating in the backward, ceil windows ignoring cells
 * outside the input, and avgpool dividing by the count of in-range cells.
 */
@org.junit.jupiter.api.Timeout(30)
class PoolHandTest {

    private static Interpreter pool(String op, int size, double[] x) {
        Model model = Models.compile("inline.cnn", "network n { input x : 1x" + size + "x" + size + "; p = " + op + "; }",
                cnnc.front.Options.defaults().withTraining(false));
        Interpreter interp = new Interpreter(model);
        interp.set("x", x);
        interp.forward(false);
        return interp;
    }

    /** Runs the backward step of the model's pooling on {@code dy}, returning ΔX. */
    private static double[] backward(Interpreter interp, double[] dy) {
        Model m = interp.model();
        Step fwd = Models.step(m.forward(), Pool.class);
        Pool op = (Pool) fwd.op();
        interp.put("grad.p", dy);
        cnnc.ir.Buffer dyb = cnnc.ir.Buffer.f32("grad.p", cnnc.ir.Role.SENSITIVITY, fwd.output().shape());
        cnnc.ir.Buffer dxb = cnnc.ir.Buffer.f32("grad.x", cnnc.ir.Role.SENSITIVITY, fwd.input(0).shape());
        Step bf = op.max()
                ? new Step(new MaxPoolBf(op), java.util.List.of(dyb, fwd.outputs().get(1)), java.util.List.of(dxb), "p", fwd.pos())
                : new Step(new AvgPoolBf(op), java.util.List.of(dyb), java.util.List.of(dxb), "p", fwd.pos());
        interp.execute(bf, true);
        return interp.buffer("grad.x");
    }

    @Test
    void overlappingMaxPoolTakesTheFirstMaximumAndAccumulates() {
        double[] x = {
            1, 3, 3,
            3, 2, 0,
            0, 5, 5};
        Interpreter interp = pool("maxpool(x, window: 2x2, stride: 1x1)", 3, x);
        assertArrayEquals(new double[] {3, 3, 5, 5}, interp.buffer("p"));
        // Window (0,0) holds 3 at (0,1) and (1,0): the first in row-major order wins.
        assertArrayEquals(new int[] {1, 1, 7, 7}, interp.path("path.p"));
        assertArrayEquals(new double[] {
            0, 1 + 2, 0,
            0, 0, 0,
            0, 3 + 4, 0}, backward(interp, new double[] {1, 2, 3, 4}));
    }

    @Test
    void maxPoolWithGapsOfNegativeValues() {
        // 5x5, window 2x2, stride 3: windows at rows/columns 0 and 3; row 2 and column 2 are never read.
        double[] x = new double[25];
        for (int e = 0; e < 25; e++) {
            x[e] = -e - 1;
        }
        Interpreter interp = pool("maxpool(x, window: 2x2, stride: 3x3)", 5, x);
        assertArrayEquals(new double[] {-1, -4, -16, -19}, interp.buffer("p"));
        assertArrayEquals(new int[] {0, 3, 15, 18}, interp.path("path.p"));
    }

    @Test
    void ceilMaxPoolIgnoresCellsOutsideTheInput() {
        Interpreter interp = pool("maxpool(x, window: 2x2, ceil: true)", 3, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertArrayEquals(new double[] {5, 6, 8, 9}, interp.buffer("p"));
        assertArrayEquals(new int[] {4, 5, 7, 8}, interp.path("path.p"));
        // Cells outside are ignored, not read as 0: an all-negative partial window keeps its maximum.
        interp = pool("maxpool(x, window: 2x2, ceil: true)", 3, new double[] {-1, -2, -3, -4, -5, -6, -7, -8, -9});
        assertArrayEquals(new double[] {-1, -3, -7, -9}, interp.buffer("p"));
        assertArrayEquals(new int[] {0, 2, 6, 8}, interp.path("path.p"));
    }

    @Test
    void ceilAvgPoolDividesByTheInRangeCount() {
        Interpreter interp = pool("avgpool(x, window: 2x2, ceil: true)", 3, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertArrayEquals(new double[] {(1 + 2 + 4 + 5) / 4.0, (3 + 6) / 2.0, (7 + 8) / 2.0, 9}, interp.buffer("p"));
        // ΔY = count in every window: each in-range cell receives exactly 1.
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, backward(interp, new double[] {4, 2, 2, 1}));
    }

    @Test
    void overlappingAvgPoolAccumulates() {
        Interpreter interp = pool("avgpool(x, window: 2x2, stride: 1x1)", 3, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertArrayEquals(new double[] {3, 4, 6, 7}, interp.buffer("p"));
        // ΔY = 4 everywhere: each cell receives 1 per window covering it.
        assertArrayEquals(new double[] {1, 2, 1, 2, 4, 2, 1, 2, 1}, backward(interp, new double[] {4, 4, 4, 4}));
    }
}
