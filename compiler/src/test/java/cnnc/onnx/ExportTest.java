package cnnc.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import cnnc.diag.SourceFile;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cnnc export checked by an independent runtime: onnxruntime's outputs equal cnnc's on every sample
 * (the reference weights with random running statistics, so bn's inference form matters), at the
 * default opset and at the ends of the supported range; and the round trip .cnn → ONNX → .cnn gives
 * the same graph hash and bit-identical outputs.
 */
@Timeout(900)
class ExportTest {

    static final int BATCH = 4;

    static Stream<Arguments> samples() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Run.root().resolve("samples"))) {
            files = s.filter(p -> p.toString().endsWith(".cnn")).sorted().toList();
        }
        assertTrue(files.size() >= 5, files.toString());
        return files.stream().flatMap(f -> Stream.of(13, Exporter.MIN_OPSET + 1, Exporter.MAX_OPSET).map(o -> Arguments.of(f.getFileName().toString(), o)));
    }

    /** A sample compiled for inference, its reference weights with random running statistics, and its reference input. */
    record Sample(String file, Model model, TensorFile weights, float[] x) {

        static Sample of(String file) throws IOException {
            Path path = Run.root().resolve("samples").resolve(file);
            String text = Files.readString(path);
            Model m = Run.compile(path.toString(), text, BATCH, false);
            Path ref = Run.root().resolve("tools/reference/fixtures").resolve(m.name());
            Random r = new Random(file.hashCode());
            if (!Files.isDirectory(ref)) { // no reference fixtures (cifar_vgg): seeded weights and input
                return random(file, m, r);
            }
            TensorFile w = Safetensors.read(ref.resolve("weights.safetensors"));
            TensorFile weights = new TensorFile();
            for (Map.Entry<String, Tensor> e : w.tensors().entrySet()) {
                float[] v = e.getValue().floats().clone();
                if (e.getKey().endsWith(".running_mean") || e.getKey().endsWith(".running_var")) {
                    boolean var = e.getKey().endsWith(".running_var");
                    for (int i = 0; i < v.length; i++) {
                        v[i] = var ? 0.5f + r.nextFloat() : 0.3f * (float) r.nextGaussian();
                    }
                }
                weights.put(e.getKey(), Tensor.f32(e.getValue().shape(), v));
            }
            float[] x = java.util.Arrays.copyOf(Safetensors.read(ref.resolve("input.safetensors")).get("x").floats(), BATCH * 28 * 28);
            return new Sample(file, m, weights, x);
        }

        /** He-like weights, γ near 1, random running statistics and a uniform input. */
        static Sample random(String file, Model m, Random r) {
            TensorFile weights = new TensorFile();
            for (cnnc.ir.Buffer b : m.forward().sources()) {
                if (b.role() != cnnc.ir.Role.PARAMETER && b.role() != cnnc.ir.Role.STATE) {
                    continue;
                }
                int[] shape = b.shape().toArray();
                float[] v = new float[(int) b.shape().size()];
                double std = shape.length > 1 ? Math.sqrt(2.0 * shape[0] / v.length) : 0.2;
                for (int i = 0; i < v.length; i++) {
                    String n = b.name();
                    v[i] = n.endsWith(".running_var") ? 0.5f + r.nextFloat() : n.endsWith(".gamma") ? 1 + 0.2f * (float) r.nextGaussian()
                            : (float) (std * r.nextGaussian());
                }
                weights.put(b.name(), Tensor.f32(shape, v));
            }
            float[] x = new float[(int) (BATCH * m.input().shape().perSample())];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat();
            }
            return new Sample(file, m, weights, x);
        }
    }

    @ParameterizedTest(name = "{0} at opset {1}")
    @MethodSource("samples")
    void onnxruntimeComputesWhatCnncComputes(String file, int opset) throws Exception {
        Sample s = Sample.of(file);
        if (opset < 10 && s.model().forward().steps().stream().anyMatch(st -> st.op() instanceof cnnc.ops.Pool p && p.ceil())) {
            assertRefused(s, opset);
            return;
        }
        byte[] onnx = Exporter.export(s.model(), s.weights(), opset).toByteArray();
        float[] cnnc = Run.infer(s.model(), s.weights(), s.x(), "java");
        float[] ort = onnxruntime(onnx, s.x(), s.model());
        double err = Run.relativeError(ort, Run.doubles(cnnc));
        assertTrue(err <= 1e-5, file + " opset " + opset + ": onnxruntime differs from cnnc by " + err);
    }

    private static void assertRefused(Sample s, int opset) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Exporter.export(s.model(), s.weights(), opset));
        assertTrue(e.getMessage().contains("needs opset 10"), e.getMessage());
    }

    static float[] onnxruntime(byte[] model, float[] x, Model m) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, opts)) {
                var in = m.input().shape();
                long[] shape = {BATCH, in.c(), in.h(), in.w()};
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                     OrtSession.Result r = session.run(Map.of(m.input().name(), t))) {
                    assertEquals(m.output().name(), session.getOutputNames().iterator().next(), "the output keeps its .cnn name");
                    FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    float[] out = new float[b.remaining()];
                    b.get(out);
                    return out;
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cnnFiles")
    void roundTripKeepsTheGraphAndItsOutputs(String file) throws IOException {
        Sample s = Sample.of(file);
        byte[] onnx = Exporter.export(s.model(), s.weights(), Exporter.DEFAULT_OPSET).toByteArray();
        Importer.Result r = Importer.importModel("rt.onnx", OnnxFile.parse("rt.onnx", onnx), Run.root(), "rt", Importer.Settings.defaults());
        Model back = Run.compile("rt.cnn", r.text(), BATCH, false);
        assertEquals(GraphHash.canonical(s.model()), GraphHash.canonical(back), r.text());
        assertEquals(GraphHash.of(s.model()), GraphHash.of(back));
        Model trainable = cnnc.passes.Pipeline.compile(SourceFile.of("rt.cnn", r.text()), cnnc.front.Options.defaults());
        Model original = cnnc.passes.Pipeline.compile(SourceFile.of(file, Files.readString(Run.root().resolve("samples").resolve(file))),
                cnnc.front.Options.defaults());
        assertEquals(GraphHash.of(original), GraphHash.of(trainable), "the hash weight files carry");
        assertArrayEquals(Run.infer(s.model(), s.weights(), s.x(), "java"), Run.infer(back, r.weights(), s.x(), "java"));
    }

    /**
     * dropout is ONNX's Dropout in inference mode (no training_mode input), its ratio an attribute
     * before opset 12 and an input from 12; importing gives dropout(x, p:) back, the same graph.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "opset {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {9, 11, 12, 13, 18})
    void dropoutIsAnInferenceDropoutAndComesBack(int opset) throws IOException {
        Sample s = Sample.of("dropout.cnn");
        ai.onnx.proto.OnnxMl.ModelProto proto = Exporter.export(s.model(), s.weights(), opset);
        List<ai.onnx.proto.OnnxMl.NodeProto> drops = proto.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Dropout")).toList();
        assertEquals(2, drops.size(), "one Dropout per dropout");
        for (ai.onnx.proto.OnnxMl.NodeProto n : drops) {
            boolean attribute = n.getAttributeList().stream().anyMatch(a -> a.getName().equals("ratio"));
            assertEquals(opset < 12, attribute, n.getName() + ": ratio as an attribute before opset 12");
            assertEquals(opset < 12 ? 1 : 2, n.getInputCount(), n.getName() + ": no training_mode input (inference)");
        }
        Importer.Result r = Importer.importModel("rt.onnx", OnnxFile.parse("rt.onnx", proto.toByteArray()), Run.root(), "rt",
                Importer.Settings.defaults());
        assertTrue(r.text().contains("dropout(p1, p: 0.25)") && r.text().contains("dropout(r2, p: 0.5)"), r.text());
        Model back = Run.compile("rt.cnn", r.text(), BATCH, false);
        assertEquals(GraphHash.of(s.model()), GraphHash.of(back), r.text());
    }

    static Stream<String> cnnFiles() throws IOException {
        try (Stream<Path> s = Files.list(Run.root().resolve("samples"))) {
            return s.filter(p -> p.toString().endsWith(".cnn")).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }
}
