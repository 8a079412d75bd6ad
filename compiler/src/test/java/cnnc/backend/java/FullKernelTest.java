package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API's full_bf and full_grad ({@link VectorFullEmitter}: a register tile of 8 rows x 16
 * columns, row blocks times column groups) against the float64 interpreter, on shapes that leave every
 * remainder: rows past the last block of 8 (batches 3 and 11; 13 and 20 outputs), columns past the
 * last block of 16 (a vector of 8, then a scalar tail: L = 105), one column group or several; and the
 * same bits on 1, 2 and 3 threads.
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
}
