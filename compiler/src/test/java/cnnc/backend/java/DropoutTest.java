package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.backend.opencl.OpenClBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.DropoutMask;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.opencl.OpenClDevices;
import cnnc.runtime.opencl.OpenClException;
import cnnc.runtime.opencl.OpenClNetwork;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code dropout(x, p)} on the generated networks: the mask is {@link DropoutMask}'s hash of (seed,
 * node, step, element), so it is the same bits on 1, 2 and 3 threads, on the plain and the Vector
 * API classes and on OpenCL; about a fraction p is dropped; inference and p = 0 are the identity.
 * (The gradient check of dropout with its mask fixed is {@code gradcheck/dropout.cnn}; the PyTorch
 * fixture is {@code samples/dropout.cnn}'s.)
 */
@org.junit.jupiter.api.Timeout(180)
class DropoutTest {

    /** Big enough (8·32·32 per sample at batch 6) for the steps to be split over threads. */
    private static final String NET = """
            network drop {
                input  x : 8x32x32;
                target z : 4;
                d = dropout(x, p: 0.3);
                c = conv(d, 4, kernel: 3x3);
                e = dropout(c);
                f = full(e, 4);
                y = softmax(f);
                loss cross_entropy(y, z);
                train { batch 6; seed 7; }
            }
            """;

    private static Model model(String text, Options options) {
        return Pipeline.compile(SourceFile.of("drop.cnn", text), options);
    }

    private static Model training() {
        return model(NET, Options.defaults().withBatch(6));
    }

    /** Every float tensor after a forward and backward pass at {@code step} on {@code threads} threads. */
    private static Map<String, float[]> run(Network net, int threads, long step) {
        Models.fill(net, 3);
        net.setThreads(threads);
        net.setStep(step);
        net.forward();
        net.backward();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (TensorSpec s : net.tensors()) {
            out.put(s.name(), net.tensor(s.name()).clone());
        }
        return out;
    }

    /** The mask as {@link DropoutMask} defines it, independently of any generated code. */
    private static float[] expectedMask(long seed, String node, long step, double p, int size) {
        long key = DropoutMask.key(DropoutMask.base(seed, node), step);
        float[] m = new float[size];
        for (int e = 0; e < size; e++) {
            m[e] = DropoutMask.keep(key, e, DropoutMask.threshold(p)) ? 1f : 0f;
        }
        return m;
    }

    @Test
    void theMaskIsTheSameBitsOnEveryThreadCountAndOnBothJavaPaths() {
        Model m = training();
        Map<String, float[]> first = null;
        for (boolean vector : new boolean[] {false, true}) {
            JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", vector));
            for (int threads : new int[] {1, 2, 3}) {
                Network net = c.instantiate();
                try {
                    Map<String, float[]> r = run(net, threads, 5);
                    if (first == null) {
                        first = r;
                        assertArrayEquals(expectedMask(7, "d", 5, 0.3, r.get("d").length), r.get("mask.d"));
                        assertArrayEquals(expectedMask(7, "e", 5, 0.5, r.get("e").length), r.get("mask.e"));
                    }
                    // the masks and every tensor that follows from them; conv sums differ between the
                    // plain and the Vector API kernels (VectorPathTest), so those are compared per path
                    for (String name : List.of("mask.d", "mask.e", "d")) {
                        assertArrayEquals(first.get(name), r.get(name), name + ", vector " + vector + ", " + threads + " threads");
                    }
                } finally {
                    net.close();
                }
            }
        }
    }

    @Test
    void everyOtherTensorIsBitIdenticalOverThreadCounts() {
        Model m = training();
        for (boolean vector : new boolean[] {false, true}) {
            JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", vector));
            Map<String, float[]> one = null;
            for (int threads : new int[] {1, 2, 3}) {
                Network net = c.instantiate();
                try {
                    Map<String, float[]> r = run(net, threads, 2);
                    if (one == null) {
                        one = r;
                    }
                    for (String name : one.keySet()) {
                        assertArrayEquals(one.get(name), r.get(name), name + ", vector " + vector + ", " + threads + " threads");
                    }
                } finally {
                    net.close();
                }
            }
        }
    }

    @Test
    void openClDrawsTheSameBitsAsJava() {
        Model m = training();
        Network java = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", false)).instantiate();
        OpenClBackend.Program program = OpenClBackend.generate(m);
        OpenClDevices.Device device;
        try {
            device = OpenClDevices.select(System.getProperty("cnnc.opencl.device", "opencl"));
        } catch (OpenClException e) {
            fail("the OpenCL tests need an OpenCL device: " + e.getMessage());
            return;
        }
        try (OpenClNetwork cl = new OpenClNetwork(program.plan(), program.source(), device)) {
            Map<String, float[]> j = run(java, 2, 9);
            Map<String, float[]> o = run(cl, 1, 9);
            for (String name : List.of("mask.d", "d", "mask.e")) {
                assertArrayEquals(j.get(name), o.get(name), name + ": Java and OpenCL");
            }
            // forward() advanced both to step 10
            java.forward();
            cl.forward();
            assertArrayEquals(java.tensor("mask.e"), cl.tensor("mask.e"), "mask.e at step 10");
            assertArrayEquals(expectedMask(7, "e", 10, 0.5, java.tensor("e").length), cl.tensor("mask.e"));
        } finally {
            java.close();
        }
    }

    @Test
    void aboutAFractionPIsDroppedAndKeptValuesAreScaled() {
        for (double p : new double[] {0.1, 0.3, 0.5, 0.9}) {
            int n = 1 << 20;
            float[] mask = expectedMask(1, "d", 0, p, n);
            double dropped = 0;
            for (float v : mask) {
                dropped += 1 - v;
            }
            double sigma = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, dropped / n, 5 * sigma, "drop rate at p " + p);
        }
        Network net = Models.network(training());
        try {
            Map<String, float[]> r = run(net, 2, 0);
            float[] x = r.get("x");
            float[] d = r.get("d");
            float[] mask = r.get("mask.d");
            double dropped = 0;
            for (int e = 0; e < x.length; e++) {
                dropped += 1 - mask[e];
                assertEquals(mask[e] == 0 ? 0f : x[e] * (float) (1 / 0.7), d[e], 0f, "d[" + e + "]");
            }
            assertEquals(0.3, dropped / x.length, 5 * Math.sqrt(0.21 / x.length), "drop rate of d");
            // the backward pass goes through the same mask: ΔX = ΔY·M/(1-p)
            float[] dc = r.get("grad.c");
            float[] de = r.get("grad.e");
            float[] me = r.get("mask.e");
            for (int e = 0; e < dc.length; e++) {
                assertEquals(de[e] * me[e] * 2f, dc[e], 0f, "grad.c[" + e + "]");
            }
        } finally {
            net.close();
        }
    }

    @Test
    void eachStepDrawsAnotherMaskAndSetStepReplaysOne() {
        Network net = Models.network(training());
        try {
            Models.fill(net, 3);
            net.forward(); // step 0
            float[] m0 = net.tensor("mask.d").clone();
            net.forward(); // step 1: forward advanced it
            float[] m1 = net.tensor("mask.d").clone();
            assertFalse(java.util.Arrays.equals(m0, m1), "step 1 draws another mask");
            int same = 0;
            for (int e = 0; e < m0.length; e++) {
                same += m0[e] == m1[e] ? 1 : 0;
            }
            // independent masks agree where both keep or both drop: 0.7² + 0.3² = 0.58
            assertEquals(0.58, (double) same / m0.length, 0.03);
            net.setStep(0);
            net.forward();
            assertArrayEquals(m0, net.tensor("mask.d"), "setStep(0) replays step 0");
            net.infer(); // inference neither draws nor advances
            net.forward();
            assertArrayEquals(m1, net.tensor("mask.d"), "then step 1");
        } finally {
            net.close();
        }
    }

    @Test
    void inferenceIsTheIdentityAndTheInferenceVariantHasNoMask() {
        Network net = Models.network(training());
        try {
            Models.fill(net, 3);
            net.infer();
            assertArrayEquals(net.tensor("x"), net.tensor("d"));
            assertArrayEquals(net.tensor("c"), net.tensor("e"));
        } finally {
            net.close();
        }
        Model inference = model(NET, Options.defaults().withBatch(1).withTraining(false));
        String source = JavaBackend.generate(inference, "cnnc.generated", false).text();
        assertFalse(source.contains("mask"), "the inference variant holds no mask");
        assertFalse(source.contains("DropoutMask"), "and draws none");
        Network inf = Models.network(inference);
        try {
            assertTrue(inf.tensors().stream().noneMatch(s -> s.role() == TensorSpec.Role.MASK));
            Models.fill(inf, 4);
            inf.forward();
            assertArrayEquals(inf.tensor("x"), inf.tensor("d"));
            assertArrayEquals(inf.tensor("c"), inf.tensor("e"));
        } finally {
            inf.close();
        }
    }

    @Test
    void cnncGradWritesTheMasks(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path fixture = Models.root().resolve("tools/reference/fixtures/dropout");
        java.nio.file.Path out = dir.resolve("g.safetensors");
        java.io.StringWriter err = new java.io.StringWriter();
        int code = cnnc.cli.Main.run(new String[] {"grad", Models.root().resolve("samples/dropout.cnn").toString(),
                "--weights", fixture.resolve("weights.safetensors").toString(),
                "--input", fixture.resolve("input.safetensors").toString(), "--out", out.toString()},
                new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        cnnc.runtime.io.TensorFile g = cnnc.runtime.io.Safetensors.read(out);
        cnnc.runtime.io.TensorFile expected = cnnc.runtime.io.Safetensors.read(fixture.resolve("expected.safetensors"));
        for (String mask : List.of("mask.d1", "mask.d2")) {
            assertTrue(g.names().contains(mask), "cnnc grad writes " + mask + ": " + g.names());
            // PyTorch's reference drew the same mask from the same definition (tools/reference/ops.py)
            assertArrayEquals(expected.get(mask).floats(), g.get(mask).floats(), mask);
            assertArrayEquals(expected.get(mask).shape(), g.get(mask).shape(), mask);
        }
    }

    @Test
    void pZeroIsTheIdentityInTrainingToo() {
        Model m = model(NET.replace("p: 0.3", "p: 0"), Options.defaults().withBatch(6));
        Network net = Models.network(m);
        try {
            Map<String, float[]> r = run(net, 2, 3);
            assertArrayEquals(r.get("x"), r.get("d"));
            for (float v : r.get("mask.d")) {
                assertEquals(1f, v);
            }
            assertNotEquals(0, r.get("x").length);
        } finally {
            net.close();
        }
    }
}
