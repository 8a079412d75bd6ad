package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.runtime.Network;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Max pooling's two kernels against a direct scan of every window written here, which takes a cell
 * when it is greater than the maximum so far (the first maximum wins, a NaN never wins nor loses its
 * place): the Vector API one ({@code PoolEmitter.vectorMax}: gathers of 8 outputs at a time in a
 * plane's flat order, the last block overlapping) and the scalar one (selects as masks on the bits),
 * which plain-Java classes run and Vector API classes keep where the vector one does not apply
 * (fewer than 8 outputs a plane, a ceil window past the input). The input holds ties, signed zeros
 * and NaNs, as relu output and broken training do; values and paths must be equal bit for bit, in
 * training classes (with their path tensor) and inference classes. Shapes: planes whose output count
 * is a multiple of 8 and not, overlapping and gapped windows.
 */
@org.junit.jupiter.api.Timeout(120)
class MaxPoolKernelTest {

    @ParameterizedTest(name = "{0}x{1}x{2}, window {3}x{4}, stride {5}x{6}, ceil {7}, vector kernel {8}")
    @CsvSource({
        "2, 28, 28, 2, 2, 2, 2, false, true",   // LeNet's p1: 196 outputs a plane, the last block overlaps
        "3, 10, 10, 2, 2, 2, 2, false, true",   // 25 outputs
        "2, 9, 8, 3, 3, 2, 2, false, true",     // overlapping windows, 12 outputs
        "2, 12, 11, 2, 3, 3, 2, false, true",   // gaps between rows
        "2, 11, 10, 3, 3, 1, 1, false, true",   // a 3x3 window, stride 1: the most cells the vector kernel takes
        "1, 16, 16, 5, 5, 1, 1, false, false",  // a 5x5 window: past PoolEmitter.VECTOR_CELLS, the scalar code
        "2, 8, 8, 2, 2, 2, 2, false, true",     // exactly 16 outputs
        "2, 4, 4, 2, 2, 2, 2, false, false",    // 4 outputs a plane: the scalar code
        "2, 9, 9, 2, 2, 2, 2, true, false",     // a ceil window past the input: the scalar code
    })
    void kernelsGiveTheScansValuesAndPaths(int c, int h, int w, int p, int q, int sh, int sw, boolean ceil, boolean vector) {
        String text = "network mp {\n input x : " + c + "x" + h + "x" + w + ";\n target z : 3;\n"
                + " m = maxpool(x, window: " + p + "x" + q + ", stride: " + sh + "x" + sw + (ceil ? ", ceil: true" : "") + ");\n"
                + " f = full(m, 3);\n y = softmax(f);\n loss cross_entropy(y, z);\n}\n";
        int batch = 3;
        int ho = ceil ? -Math.floorDiv(-(h - p), sh) + 1 : (h - p) / sh + 1;
        int wo = ceil ? -Math.floorDiv(-(w - q), sw) + 1 : (w - q) / sw + 1;
        float[] x = input(batch * c * h * w);
        float[] expected = new float[batch * c * ho * wo];
        int[] expectedPath = new int[expected.length];
        scan(x, batch * c, h, w, ho, wo, p, q, sh, sw, expected, expectedPath);
        for (boolean training : new boolean[] {true, false}) {
            for (boolean vectorClass : new boolean[] {true, false}) {
                Model m = cnnc.passes.Pipeline.compile(cnnc.diag.SourceFile.of("mp.cnn", text),
                        Options.defaults().withBatch(batch).withTraining(training));
                JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", vectorClass);
                String what = (training ? "training" : "inference") + (vectorClass ? " Vector API" : " plain-Java") + " class";
                assertEquals(vector && vectorClass, src.text().contains("f0_maxpool_m_cells, o)"), what + ": the vector kernel where it applies, and only there");
                Network net = JaninoLoader.compile(src).instantiate();
                System.arraycopy(x, 0, net.tensor("x"), 0, x.length);
                net.setThreads(2);
                if (training) {
                    net.forward();
                    assertArrayEquals(expectedPath, net.path("path.m"), what + ": path");
                } else {
                    net.infer();
                }
                float[] got = net.tensor("m");
                assertEquals(expected.length, got.length);
                for (int i = 0; i < got.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]), what + ": m[" + i + "]");
                }
                net.close();
            }
        }
    }

    /**
     * No allocation in a training step whose by-sample run holds the largest window the vector kernel
     * takes (3x3, overlapping) between two convolutions, once C2 has compiled it, in a JVM of its own
     * (AllocationProbe; a 4x4 window allocated in some JVMs: PoolEmitter.VECTOR_CELLS).
     */
    @org.junit.jupiter.api.Test
    void theLargestVectorWindowAllocatesNothing() {
        String text = """
                network big {
                    input x : 4x12x12;
                    target z : 3;
                    c = conv(x, 8, kernel: 3x3);
                    r = relu(c);
                    p = maxpool(r, window: 3x3, stride: 2x2);
                    d = conv(p, 8, kernel: 3x3);
                    f = full(d, 3);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                }
                """;
        Model m = Models.model("big.cnn", text, 4);
        assertTrue(JavaBackend.generate(m, "cnnc.generated", true).text().contains("f2_maxpool_p_cells, o)"), "the vector kernel");
        assertEquals(0, AllocationProbe.inFreshJvm(m, true, 2)[0], "bytes allocated in 20 training steps");
    }

    /** Values with many ties (a few levels), zeros of both signs and a NaN now and then. */
    private static float[] input(int n) {
        Random r = new Random(7);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(20);
            x[i] = k == 0 ? Float.NaN : k == 1 ? -0f : k < 5 ? 0f : (r.nextInt(6) - 2) * 0.5f;
        }
        return x;
    }

    /** The definition: every window scanned row by row; a cell replaces the maximum when it is greater. */
    private static void scan(float[] x, int planes, int h, int w, int ho, int wo, int p, int q, int sh, int sw, float[] y, int[] path) {
        int nan = 0;
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < ho; i++) {
                for (int j = 0; j < wo; j++) {
                    int at = i * sh * w + j * sw;
                    float m = x[pl * h * w + at];
                    int arg = at;
                    for (int a = 0; a < p && i * sh + a < h; a++) {
                        for (int b = 0; b < q && j * sw + b < w; b++) {
                            float v = x[pl * h * w + at + a * w + b];
                            if (v > m) {
                                m = v;
                                arg = at + a * w + b;
                            }
                        }
                    }
                    y[(pl * ho + i) * wo + j] = m;
                    path[(pl * ho + i) * wo + j] = arg;
                    nan += Float.isNaN(m) ? 1 : 0;
                }
            }
        }
        assertTrue(nan > 0 && nan < y.length, "the input should leave some outputs NaN and most not");
    }
}
