package cnnc.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import cnnc.ir.Model;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ONNX's own per-operator node tests (Debian libonnx-testdata: a one-node model, its inputs and
 * expected outputs). Every test of an operator cnnc maps is imported: those that import must match
 * the expected output; those refused are exactly the list below (docs/onnx.md says why). The first
 * input is the network's input; the others are bound as constants (initializers), as a trained
 * model would hold them.
 */
@Timeout(300)
class OnnxNodeTestsTest {

    static final Path DATA = Path.of("/usr/share/libonnx-testdata/data/node");

    /** The operators of the mapping table, whose node tests run here. */
    static final Set<String> OPS = Set.of("Conv", "BatchNormalization", "Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "MaxPool",
            "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm", "MatMul", "Add", "Concat", "Softmax", "LogSoftmax",
            "Flatten", "Reshape", "Identity", "Dropout", "Pad", "Slice", "ConvTranspose");

    static final String EXPECTED_IMPORTED = """
            test_averagepool_2d_ceil test_averagepool_2d_default test_averagepool_2d_precomputed_strides
            test_averagepool_2d_strides test_basic_conv_with_padding test_basic_conv_without_padding
            test_batchnorm_epsilon test_batchnorm_example test_conv_with_autopad_same test_conv_with_strides_no_padding
            test_conv_with_strides_padding test_flatten_axis1 test_flatten_default_axis test_flatten_negative_axis3
            test_gemm_alpha test_gemm_beta test_gemm_default_no_bias test_gemm_default_scalar_bias
            test_gemm_default_single_elem_vector_bias test_gemm_default_vector_bias test_gemm_default_zero_bias
            test_gemm_transposeB test_globalaveragepool test_globalaveragepool_precomputed test_globalmaxpool
            test_globalmaxpool_precomputed test_identity test_logsoftmax_example_1 test_logsoftmax_large_number
            test_matmul_2d test_maxpool_2d_ceil test_maxpool_2d_default test_maxpool_2d_precomputed_strides
            test_maxpool_2d_strides test_softmax_example test_softmax_large_number
            test_convtranspose test_convtranspose_kernel_shape test_convtranspose_output_shape test_convtranspose_pad
            test_convtranspose_pads test_convtranspose_with_kernel
            """;

    /** The tests that import and match (any other must be refused with a reason). */
    static final Set<String> IMPORTED = Set.of(EXPECTED_IMPORTED.strip().split("\\s+"));

    @Test
    void everyNodeTestOfAMappedOperatorImportsAndMatchesOrIsRefused() throws IOException {
        assertTrue(Files.isDirectory(DATA), DATA + " is missing: apt-get install libonnx-testdata");
        Map<String, String> refused = new TreeMap<>();
        List<String> matched = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(DATA)) {
            for (Path dir : dirs.sorted().toList()) {
                Path file = dir.resolve("model.onnx");
                if (!Files.isRegularFile(file) || !Files.isDirectory(dir.resolve("test_data_set_0"))) {
                    continue;
                }
                OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
                if (model.getGraph().getNodeCount() != 1 || !OPS.contains(model.getGraph().getNode(0).getOpType())) {
                    continue;
                }
                String name = dir.getFileName().toString();
                String outcome = run(name, model, dir.resolve("test_data_set_0"));
                if (outcome == null) {
                    matched.add(name);
                } else if (outcome.startsWith("refused: ")) {
                    refused.put(name, outcome.substring(9));
                } else {
                    wrong.add(name + ": " + outcome);
                }
            }
        }
        StringBuilder report = new StringBuilder();
        refused.forEach((k, v) -> report.append("  ").append(k).append(": ").append(v).append('\n'));
        assertTrue(wrong.isEmpty(), "imported but wrong:\n" + String.join("\n", wrong) + "\nrefused:\n" + report);
        assertEquals(IMPORTED, Set.copyOf(matched), "matched " + matched + "\nrefused:\n" + report);
        System.out.println("ONNX node tests: " + matched.size() + " imported and matched, " + refused.size() + " refused:\n" + report);
    }

    /** Null when the test imports and matches; "refused: why"; else what went wrong. */
    private static String run(String name, OnnxMl.ModelProto model, Path data) throws IOException {
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> initializers = new java.util.HashSet<>();
        g.getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<OnnxMl.ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !initializers.contains(v.getName())).toList();
        OnnxMl.TensorProto x = OnnxMl.TensorProto.parseFrom(Files.readAllBytes(data.resolve("input_0.pb")));
        for (int i = 1; i < inputs.size(); i++) {
            Path pb = data.resolve("input_" + i + ".pb");
            if (Files.exists(pb)) {
                g.addInitializer(OnnxMl.TensorProto.parseFrom(Files.readAllBytes(pb)).toBuilder().setName(inputs.get(i).getName()));
            }
        }
        OnnxMl.ModelProto bound = model.toBuilder().setGraph(g).build();
        Importer.Result r;
        try {
            r = Importer.importModel(name, bound, data, name, new Importer.Settings(false, null));
        } catch (OnnxError e) {
            return "refused: " + String.join("; ", e.problems());
        }
        Constant in = Constant.read(x, data);
        int batch = (int) in.dims()[0];
        Model m = Run.compile(name + ".cnn", r.text(), batch, false);
        float[] got = Run.infer(m, r.weights(), in.values(), "java");
        Constant want = Constant.read(OnnxMl.TensorProto.parseFrom(Files.readAllBytes(data.resolve("output_0.pb"))), data);
        if (got.length != want.values().length) {
            return "output of " + got.length + " values, expected " + want.values().length;
        }
        double[] expected = Run.doubles(want.values());
        if (model.getGraph().getNode(0).getOpType().equals("LogSoftmax")) { // cnnc outputs the softmax: compare exp
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.exp(expected[i]);
            }
        }
        double err = Run.relativeError(got, expected);
        return err <= 1e-5 ? null : "relative error " + err;
    }

}
