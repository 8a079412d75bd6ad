package cnnc.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models written by PyTorch's exporter (tools/onnx/generate.py: every sample as native torch layers
 * with its weights as external data, a LeNet, a ResNet with BatchNormalization and an Inception block)
 * imported and run by cnnc on Java and OpenCL reproduce PyTorch's outputs within 1e-5 of their scale.
 */
@Timeout(300)
class PyTorchImportTest {

    static final double TOLERANCE = 1e-5;

    static Stream<Arguments> fixtures() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Run.root().resolve("tools/onnx/fixtures"))) {
            files = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        assertEquals(10, files.size(), "tools/onnx/fixtures: 7 samples and 3 PyTorch networks, found " + files);
        return files.stream().flatMap(f -> Stream.of(Arguments.of(f.getFileName().toString(), "java"),
                Arguments.of(f.getFileName().toString(), "opencl")));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("fixtures")
    void reproducesPyTorch(String file, String device) {
        Path onnx = Run.root().resolve("tools/onnx/fixtures").resolve(file);
        TensorFile io = Safetensors.read(onnx.resolveSibling(file.replace(".onnx", ".io.safetensors")));
        Tensor x = io.get("x");
        Tensor y = io.get("y");
        int batch = x.shape()[0];
        Importer.Result r = Importer.importFile(onnx, Importer.Settings.defaults());
        Model m = Run.compile(file, r.text(), batch, false);
        float[] got = Run.infer(m, r.weights(), x.floats(), device);
        boolean appended = r.text().contains("appended: the graph ends in logits");
        double[] want = appended ? Run.softmax(y.floats(), batch) : Run.doubles(y.floats());
        double err = Run.relativeError(got, want);
        assertTrue(err <= TOLERANCE, file + " on " + device + ": relative error " + err + "\n" + r.text());
    }
}
