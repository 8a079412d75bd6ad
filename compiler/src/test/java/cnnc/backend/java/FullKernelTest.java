package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.DType;
import cnnc.runtime.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API's full_bf and full_grad ({@link VectorFullEmitter}: a register tile of 8 rows x 16
 * columns, row blocks times column groups) against the float64 interpreter, on shapes that leave every
 * remainder: rows past the last block of 8 (batches 3 and 11; 13 and 20 outputs), columns past the
 * last block of 16 (a vector of 8, then a scalar tail: L = 105), one column group or several; and the
 * same bits on 1, 2 and 3 threads. The forward of a W larger than a core's L2 runs batch-blocked, with
 * the bits of the forward a sample at a time.
 */
@org.junit.jupiter.api.Timeout(300)
class FullKernelTest {

    static final String FULLS = """
            network fulls {
                input x : 3x5x7;
                target z : 4;
                a = full(x, 13);                 // L = 105 = 6·16 + 8 + 1, 13 outputs: a block of 8 and 5
                r = relu(a);
                b = full(r, 20, bias: false);    // L = 13: no block of 16, one vector and a tail
                s = relu(b);
                c = full(s, 4);
                y = softmax(c);
                loss cross_entropy(y, z);
            }
            """;

    /** A wide layer: 64 blocks of 16 columns over several column groups. */
    static final String WIDE = """
            network wide {
                input x : 16x8x8;
                target z : 24;
                a = full(x, 24);
                y = softmax(a);
                loss cross_entropy(y, z);
            }
            """;

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 3, 11})
    void fullLayersMatchTheFloat64Interpreter(int batch) {
        for (String source : new String[] {FULLS, WIDE}) {
            Model m = Models.model(source.contains("network wide") ? "wide.cnn" : "fulls.cnn", source, batch);
            JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", true);
            assertTrue(src.text().contains("tile8x2") || batch < 8, "the 8-row tile is used");
            Network net = JaninoLoader.compile(src).instantiate();
            Models.fill(net, 5);
            net.setThreads(2);
            int compared = Models.matchesInterpreter(m, net, "batch " + batch, 1e-5);
            assertTrue(compared >= 5, "only " + compared + " tensors compared");
            net.close();
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {3, 11})
    void identicalBitsForAnyThreadCount(int batch) {
        ConvKernelTest.identicalBits(Models.model("fulls.cnn", FULLS, batch));
        ConvKernelTest.identicalBits(Models.model("wide.cnn", WIDE, batch));
    }

    static Model big(String input, int k, boolean bias, int batch) {
        String text = """
                network big {
                    input x : %s;
                    target z : 5;
                    f = full(x, %d, bias: %b);
                    r = relu(f);
                    g = full(r, 5);
                    y = softmax(g);
                    loss cross_entropy(y, z);
                }
                """.formatted(input, k, bias);
        return Models.model("big.cnn", text, batch);
    }

    /**
     * The batch-blocked forward ({@link VectorFullEmitter#batchBlocked}: W larger than a core's L2, tiles of 4
     * samples x 4 outputs) gives every tensor of a training step the bits of the kernel that takes a sample at a
     * time ({@link VectorFullEmitter#perSample}), and agrees with the float64 interpreter; outputs not a multiple
     * of 4 or 16, rows not a multiple of 8 (the scalar tail), batches not a multiple of 4; with and without bias.
     */
    @ParameterizedTest(name = "{0} -> {1}, bias {2}, batch {3}")
    @CsvSource({"8x32x32, 20, true, 4", "3x15x15, 199, true, 9", "3x15x15, 199, false, 6", "2x16x16, 260, true, 7"})
    void blockedForwardGivesThePerSampleBits(String input, int k, boolean bias, int batch) {
        Model m = big(input, k, bias, batch);
        Network blocked = Models.network(m);
        Network perSample;
        VectorFullEmitter.perSample = true;
        try {
            JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated");
            assertTrue(!src.text().contains("samples x 4 outputs"), "the hook takes the per-sample forward");
            perSample = JaninoLoader.compile(src).instantiate();
        } finally {
            VectorFullEmitter.perSample = false;
        }
        assertTrue(JavaBackend.generate(m, "cnnc.generated").text().contains("tiles of 4 samples x 4 outputs"), "a batch-blocked forward");
        try {
            for (Network n : new Network[] {blocked, perSample}) {
                Models.fill(n, 5);
                n.setThreads(2);
            }
            assertTrue(Models.matchesInterpreter(m, blocked, input + " blocked", 1e-4) > 5);
            perSample.forward();
            perSample.backward();
            int compared = Models.assertSameBits(perSample, blocked, "per sample and blocked");
            assertEquals(blocked.tensors().size() - intTensors(blocked), compared);
        } finally {
            blocked.setThreads(1);
            perSample.setThreads(1);
        }
    }

    private static int intTensors(Network n) {
        return (int) n.tensors().stream().filter(s -> s.dtype() != DType.F32).count();
    }
}
