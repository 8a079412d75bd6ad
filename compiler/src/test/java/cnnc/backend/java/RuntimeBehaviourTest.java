package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** No allocation in a training step; bit-identical results whatever the thread count (LeNet-5, and bn and full kernels). */
@org.junit.jupiter.api.Timeout(300)
class RuntimeBehaviourTest {

    static Model lenet(int batch) {
        return Models.file(Models.root().resolve("samples/lenet5.cnn"), batch);
    }

    /** A few SGD steps so any difference would compound. */
    static void train(Network net, int steps) {
        for (int s = 0; s < steps; s++) {
            net.forward();
            net.backward();
            for (String p : net.parameterNames()) {
                float[] w = net.tensor(p);
                float[] g = net.tensor("grad." + p);
                for (int i = 0; i < w.length; i++) {
                    w[i] -= 0.05f * g[i];
                }
            }
        }
    }

    /**
     * Besides LeNet-5: bn per channel on planes with a tail (7x7: the vector sums' last lanes,
     * BnWideSumsTest) and a full layer whose W exceeds a core's L2 (the batch-blocked forward,
     * FullKernelTest), both checked to be there.
     */
    static Model wide(int batch) {
        return Models.model("wide.cnn", """
                network wide {
                    input x : 3x7x7;
                    target z : 10;
                    c = conv(x, 16, kernel: 3x3, bias: false);
                    n = bn(c, per: channel);
                    r = relu(n);
                    f = full(r, 200);                   // W: 200 x 784 floats
                    g = full(f, 10);
                    y = softmax(g);
                    loss cross_entropy(y, z);
                }
                """, batch);
    }

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("lenet5", lenet(8)), Arguments.of("bn and a large full layer", wide(8)));
    }

    /** No allocation in a training step on 1 and 2 threads once C2 has compiled the class, in a JVM of its own (AllocationProbe). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void trainingStepsAllocateNothing(String name, Model m) {
        if (name.startsWith("bn")) {
            String src = JavaBackend.generate(m, "cnnc.generated").text();
            assertTrue(src.contains("a lane at a time") && src.contains("tiles of 4 samples"), "the bn sums' tails and the blocked full forward");
        }
        long[] bytes = AllocationProbe.inFreshJvm(m, JavaBackend.vectorAvailable(), 1, 2);
        assertEquals(0, bytes[0], name + ", 1 thread: bytes allocated in 20 training steps");
        assertEquals(0, bytes[1], name + ", 2 threads: bytes allocated in 20 training steps");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void identicalBitsForAnyThreadCount(String name, Model m) {
        JaninoLoader.Compiled c = Models.compile(m);
        Network one = c.instantiate();
        Network two = c.instantiate();
        Network three = c.instantiate();
        for (Network n : List.of(one, two, three)) {
            Models.fill(n, 11);
        }
        one.setThreads(1);
        two.setThreads(2);
        three.setThreads(3);
        train(one, 4);
        train(two, 4);
        train(three, 4);
        int compared = 0;
        for (TensorSpec s : one.tensors()) {
            if (s.dtype() == DType.I32) {
                assertArrayEquals(one.path(s.name()), two.path(s.name()), s.name());
                assertArrayEquals(one.path(s.name()), three.path(s.name()), s.name());
            } else {
                float[] a = one.tensor(s.name());
                assertEquals(0, java.util.Arrays.compare(a, two.tensor(s.name())), s.name() + " differs with 2 threads");
                assertEquals(0, java.util.Arrays.compare(a, three.tensor(s.name())), s.name() + " differs with 3 threads");
            }
            compared++;
        }
        assertTrue(compared > 20, name + ": only " + compared + " tensors compared");
        two.setThreads(1);
        three.setThreads(1);
    }

    private static long workers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("cnnc-worker-")).count();
    }

    /** close() stops the instance's workers; it goes on computing the same bits on the caller. */
    @Test
    void closeStopsTheWorkersAndTheNetworkKeepsWorking() throws InterruptedException {
        JaninoLoader.Compiled c = Models.compile(lenet(8));
        Network reference = c.instantiate();
        Network net = c.instantiate();
        Models.fill(reference, 5);
        Models.fill(net, 5);
        long before = workers();
        net.setThreads(3);
        assertEquals(before + 2, workers());
        train(net, 1);
        net.close();
        for (int i = 0; i < 200 && workers() > before; i++) {
            Thread.sleep(10); // a closed worker exits once it wakes
        }
        assertEquals(before, workers());
        net.close(); // twice: nothing
        train(net, 2);
        train(reference, 3);
        for (String p : reference.parameterNames()) {
            assertEquals(0, java.util.Arrays.compare(reference.tensor(p), net.tensor(p)), p);
        }
    }

    @Test
    void inferUsesRunningStatistics() {
        Model m = Models.model("bn.cnn", """
                network bnnet {
                    input x : 2x3x3;
                    target z : 2;
                    b = bn(x, per: channel);
                    f = full(b, 2);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                }
                """, 4);
        Network net = Models.network(m);
        Models.fill(net, 9);
        float[] rm = net.tensor("b.running_mean");
        float[] rv = net.tensor("b.running_var");
        rm[0] = 0.5f;
        rv[0] = 4f;
        float x0 = net.tensor("x")[0];
        net.infer();
        float g = net.tensor("b.gamma")[0];
        float beta = net.tensor("b.beta")[0];
        assertEquals(g * (x0 - 0.5f) / (float) Math.sqrt(4 + 1e-5) + beta, net.tensor("b")[0], 1e-5);
        assertEquals(0.5f, rm[0]);
        net.forward();
        assertTrue(rm[0] != 0.5f, "training updates the running mean");
    }
}
