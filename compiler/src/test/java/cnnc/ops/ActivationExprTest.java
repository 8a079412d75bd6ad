package cnnc.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Each element-wise function's backward expression is the derivative of its forward expression:
 * central differences in float64 away from its kinks, and across a kink the pieces differ.
 */
class ActivationExprTest {

    @Test
    void backwardIsTheDerivativeOfForward() {
        for (Activation.Fn fn : Activation.Fn.values()) {
            Activation op = new Activation(fn);
            Expr f = op.forwardExpr();
            Expr b = op.backwardExpr();
            assertTrue(b.uses(Expr.Var.X) == 0 || b.uses(Expr.Var.Y) == 0, fn + " reads X or Y, not both");
            for (double x = -3.05; x < 3; x += 0.1) {
                double h = 1e-6;
                if (op.piece(x - h) != op.piece(x + h)) {
                    continue;
                }
                double numeric = (f.eval(x + h, 0, 0) - f.eval(x - h, 0, 0)) / (2 * h);
                double y = f.eval(x, 0, 0);
                for (double dy : new double[] {1, -0.5}) {
                    assertEquals(dy * numeric, b.eval(x, y, dy), 1e-7, fn + " at " + x);
                }
            }
        }
    }

    @Test
    void reluIsKinkedAtZeroAndTheSmoothOnesNowhere() {
        Activation relu = new Activation(Activation.Fn.RELU);
        assertTrue(relu.kinked());
        assertTrue(relu.piece(-1e-9) != relu.piece(1e-9));
        assertTrue(!new Activation(Activation.Fn.TANH).kinked() && !new Activation(Activation.Fn.SIGMOID).kinked());
    }

    @Test
    void infixKeepsTheEvaluationOrder() {
        Expr e = Expr.DY.times(Expr.Y).times(Expr.num(1).minus(Expr.Y)).minus(Expr.X.minus(Expr.Y.minus(Expr.X)));
        assertEquals("dy * y * (1 - y) - (x - (y - x))", e.infix(v -> v.name().toLowerCase(), d -> String.valueOf(d.intValue()),
                Enum::name, "0"));
    }
}
