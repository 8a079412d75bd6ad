package cnnc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import cnnc.ir.Model;
import org.junit.jupiter.api.Test;

/**
 * conv's forward values worked out by hand from docs/language.md §3 on a 3x3 (or 4x4) map and a 2x2 kernel
 * {@code W = [[1,2],[3,4]]}, so the pads, anchors and strides mean what docs/language.md says (cross-
 * correlation, as PyTorch's {@code conv2d(F.pad(x, (Pl, Pr, Pt, Pb)), W, b, stride)}).
 */
@org.junit.jupiter.api.Timeout(30)
class ConvHandTest {

    private static final double[] X3 = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    private static final double[] W = {1, 2, 3, 4};

    private static double[] conv(String args, int size, double[] x, double[] bias) {
        Model model = Models.inference("network n { input x : 1x" + size + "x" + size + "; c = conv(x, 1, kernel: 2x2" + args + "); }");
        Interpreter interp = new Interpreter(model);
        interp.set("x", x);
        interp.set("c.weight", W);
        if (bias != null) {
            interp.set("c.bias", bias);
        }
        interp.forward(false);
        return interp.buffer("c");
    }

    @Test
    void validIsCrossCorrelationPlusBias() {
        // Y[0][0] = 1·1 + 2·2 + 3·4 + 4·5 = 37, and so on, plus b = 0.5.
        assertArrayEquals(new double[] {37.5, 47.5, 67.5, 77.5}, conv(", padding: valid", 3, X3, new double[] {0.5}));
    }

    @Test
    void sameWithAnEvenKernelPadsBottomAndRight() {
        // anchor ((2-1)/2, (2-1)/2) = (0,0): pads (0,1,0,1); reads past the map are 0.
        assertArrayEquals(new double[] {
            37, 47, 1 * 3 + 3 * 6,
            67, 77, 1 * 6 + 3 * 9,
            1 * 7 + 2 * 8, 1 * 8 + 2 * 9, 9}, conv(", bias: false", 3, X3, null));
    }

    @Test
    void fullPadsEverySideByKernelMinusOne() {
        // pads (1,1,1,1): a 4x4 output, Y[0][0] = W[1][1]·x[0][0] = 4; the middle is the valid output.
        assertArrayEquals(new double[] {
            4, 3 + 8, 6 + 12, 9,
            2 + 16, 37, 47, 3 + 18,
            8 + 28, 67, 77, 6 + 27,
            14, 7 + 16, 8 + 18, 9}, conv(", padding: full, bias: false", 3, X3, null));
    }

    @Test
    void anAnchorOutsideTheWindowCropsAndPads() {
        // anchor (-1,2): pads Pt=-1 (crop a row), Pb=2, Pl=2, Pr=-1 (crop a column).
        // Y[i][j] = Σ W[p][q]·x[i+1+p][j-2+q]; Y[0][1] = W[0][1]·x[1][0] + W[1][1]·x[2][0] = 8 + 28.
        assertArrayEquals(new double[] {
            0, 36, 4 + 10 + 21 + 32,
            0, 14, 7 + 16,
            0, 0, 0}, conv(", anchor: (-1,2), bias: false", 3, X3, null));
    }

    @Test
    void strideTwoSamplesEverySecondWindow() {
        // x[a][b] = 4a + b + 1; Y[i][j] = 10·x[2i][2j] + 34 for W = [[1,2],[3,4]].
        double[] x = new double[16];
        for (int e = 0; e < 16; e++) {
            x[e] = e + 1;
        }
        assertArrayEquals(new double[] {44, 64, 124, 144}, conv(", padding: valid, stride: 2x2, bias: false", 4, x, null));
    }
}
