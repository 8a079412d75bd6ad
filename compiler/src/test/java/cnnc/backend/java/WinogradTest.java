package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.interp.Interpreter;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Winograd F(2x2, 3x3) kernels ({@link WinogradEmitter}, forward and backward-data, and {@link
 * WinogradGradEmitter}, the weight gradient), against the float64 interpreter: odd and even maps (a last tile row or column with one real pixel), every
 * pad from 0 to 2 on each side (same, valid, full and anchors on the window's corners), bias and
 * none, channel counts the GEMM's channel block does not divide, tile rows narrower than a vector,
 * and a cifar_vgg-sized layer (64 channels, 16x16) cut into several blocks; the gradient's partial sums
 * over uneven sample ranges cut into several blocks; bit-identical for 1, 2 and 3 threads.
 */
@org.junit.jupiter.api.Timeout(600)
class WinogradTest {

    static final String WINO = """
            network wino {
                input x : 5x11x9;
                target z : 4;
                a = conv(x, 17, kernel: 3x3, algo: winograd);                      // same on an odd 11x9 map
                b = conv(a, 12, kernel: 3x3, anchor: (0, 0), algo: winograd);     // pads (0, 2) rows, (0, 2) columns
                c = conv(b, 9, kernel: 3x3, anchor: (2, 1), bias: false, algo: winograd);  // pads (2, 0), (1, 1)
                d = conv(c, 8, kernel: 3x3, padding: full, algo: winograd);       // pads 2: a 13x11 output
                e = conv(d, 6, kernel: 3x3, padding: valid, algo: winograd);      // no pads, 11x9
                g = conv(e, 3, kernel: 3x3, padding: valid, algo: winograd);      // 9x7 from 6 channels
                r = relu(g);
                f = full(r, 4);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    /** A cifar_vgg-like layer pair: 64 channels on 16x16 maps, several blocks of tile rows per step. */
    static final String VGG = """
            network vgg {
                input x : 32x16x16;
                target z : 10;
                a = conv(x, 64, kernel: 3x3, bias: false);
                r = relu(a);
                b = conv(r, 64, kernel: 3x3);
                p = maxpool(b, window: 4x4);
                f = full(p, 10);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    @AfterEach
    void reset() {
        ConvTiles.override = null;
        WinogradGradEmitter.blockOverride = null;
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 3})
    void everyPadAndOddMapMatchesTheFloat64Interpreter(int batch) {
        Model m = Models.model("wino.cnn", WINO, batch);
        assertEquals(6, winograd(m), "every conv and conv_bf of wino is Winograd: 6 convs, 5 conv_bf (x has none)");
        compare(m, 1e-4);
    }

    @Test
    void aCifarSizedLayerMatchesTheFloat64Interpreter() {
        Model m = Models.model("vgg.cnn", VGG, 4);
        assertTrue(winograd(m) >= 2, "the cost model picks Winograd for 32 and 64 channels on 16x16");
        compare(m, 1e-4);
    }

    /** A GEMM tile of 16 tiles x 5 channels: 17 and 12 output channels leave a narrower block. */
    @Test
    void aForcedNarrowTileMatches() {
        ConvTiles.override = new ConvTiles.Tile(2, 5);
        Model m = Models.model("wino.cnn", WINO, 2);
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", true);
        assertTrue(src.text().contains("a register tile of 16 tiles x 5 output channels"), "the forced tile reaches the kernels");
        compare(m, 1e-4);
    }

    /**
     * The gradient's partial sums over uneven sample ranges (batch 20 in 8 sums of 2 or 3 samples),
     * each cut into blocks of one sample, with input channels the GEMM's vectors do not divide.
     */
    @Test
    void partialSumsOverSeveralBlocksMatch() {
        WinogradGradEmitter.blockOverride = 1;
        Model m = Models.model("wino.cnn", WINO, 20);
        String text = JavaBackend.generate(m, "cnnc.generated", true).text();
        assertTrue(text.contains("8 partial sums over fixed sample ranges, blocks of 1 sample(s)"), "the forced blocks reach the kernel");
        compare(m, 1e-4);
    }

    /** The number of Winograd forward steps; asserts every conv_bf of a Winograd conv is Winograd too. */
    static int winograd(Model m) {
        int n = 0;
        for (Step s : m.forward().steps()) {
            if (s.op() instanceof Conv c && c.algo() == Conv.Algo.WINOGRAD) {
                n++;
            }
        }
        for (Step s : m.backwardGraph().steps()) {
            if (s.op() instanceof ConvBf bf && bf.conv().algo() != Conv.Algo.AUTO) {
                assertEquals(bf.conv().algo(), bf.algo(), s.node());
            }
            if (s.op() instanceof ConvGrad g && g.conv().algo() != Conv.Algo.AUTO) {
                assertEquals(g.conv().algo(), g.algo(), s.node() + ": the weight gradient follows the conv's algo");
            }
        }
        return n;
    }

    static void compare(Model m, double rel) {
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", true);
        assertTrue(src.text().contains("Winograd F(2x2,3x3) on "), "a Winograd kernel is generated");
        assertTrue(src.text().contains("(A ΔY A^T)[ξ]"), "a Winograd weight gradient is generated");
        Network net = JaninoLoader.compile(src).instantiate();
        Models.fill(net, 29);
        net.setThreads(2);
        Interpreter ref = new Interpreter(m);
        for (TensorSpec s : net.tensors()) {
            if (s.role() == TensorSpec.Role.PARAMETER || s.role() == TensorSpec.Role.INPUT || s.role() == TensorSpec.Role.TARGET) {
                ref.set(s.name(), ReferenceTest.toDouble(net.tensor(s.name())));
            }
        }
        net.forward();
        net.backward();
        ref.forward(true);
        ref.backward();
        int compared = 0;
        for (TensorSpec s : net.tensors()) {
            if (s.dtype() == DType.I32 || s.role() == TensorSpec.Role.INPUT || s.role() == TensorSpec.Role.TARGET
                    || s.role() == TensorSpec.Role.PARAMETER) {
                continue;
            }
            ReferenceTest.close(m.name() + ": " + s.name(), ref.buffer(s.name()), net.tensor(s.name()), rel);
            compared++;
        }
        assertTrue(compared >= 8, "only " + compared + " tensors compared");
        net.close();
    }

    /** No allocation in a training step through Winograd forward, backward-data and gradient, once C2 has compiled the kernels. */
    @Test
    void trainingStepsAllocateNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Network net = JaninoLoader.compile(JavaBackend.generate(Models.model("vgg.cnn", VGG, 4), "cnnc.generated", true)).instantiate();
        Models.fill(net, 5);
        net.setThreads(2);
        RuntimeBehaviourTest.train(net, 10);
        List<Long> ids = new java.util.ArrayList<>();
        ids.add(Thread.currentThread().threadId());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("cnnc-worker")) {
                ids.add(t.threadId());
            }
        }
        long[] idArray = ids.stream().mapToLong(Long::longValue).toArray();
        long allocated;
        long deadline = System.nanoTime() + 240_000_000_000L;
        do { // windows of 10 steps until one allocates nothing (Vector API boxes live until C2 compiles the kernels)
            long idle0 = Arrays.stream(mx.getThreadAllocatedBytes(idArray)).sum();
            long idle1 = Arrays.stream(mx.getThreadAllocatedBytes(idArray)).sum();
            long before = Arrays.stream(mx.getThreadAllocatedBytes(idArray)).sum();
            for (int s = 0; s < 10; s++) {
                net.forward();
                net.backward();
            }
            long after = Arrays.stream(mx.getThreadAllocatedBytes(idArray)).sum();
            allocated = (after - before) - (idle1 - idle0);
        } while (allocated != 0 && System.nanoTime() < deadline);
        assertEquals(0, allocated, "bytes allocated in 10 training steps");
        net.close();
    }

    /** Bit-identical results for 1, 2 and 3 threads through Winograd forward, backward-data and gradient, over a few SGD steps. */
    @Test
    void identicalBitsForAnyThreadCount() {
        Model m = Models.model("vgg.cnn", VGG, 4);
        JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", true));
        List<Network> nets = List.of(c.instantiate(), c.instantiate(), c.instantiate());
        for (int i = 0; i < nets.size(); i++) {
            Models.fill(nets.get(i), 31);
            nets.get(i).setThreads(i + 1);
            RuntimeBehaviourTest.train(nets.get(i), 3);
        }
        for (TensorSpec s : nets.get(0).tensors()) {
            if (s.dtype() == DType.F32) {
                for (int i = 1; i < nets.size(); i++) {
                    assertEquals(0, Arrays.compare(nets.get(0).tensor(s.name()), nets.get(i).tensor(s.name())),
                            s.name() + " differs with " + (i + 1) + " threads");
                }
            }
        }
        nets.forEach(Network::close);
    }
}
