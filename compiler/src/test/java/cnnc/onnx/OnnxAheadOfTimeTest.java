package cnnc.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.backend.java.AheadOfTime;
import cnnc.backend.java.JaninoLoader;
import cnnc.runtime.Network;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a build tool gets from an .onnx file: a class that, with the weights beside it, computes what PyTorch did. */
@Timeout(120)
class OnnxAheadOfTimeTest {

    @Test
    void theClassAndItsWeightsReproducePyTorch() {
        Path onnx = Run.root().resolve("tools/onnx/fixtures/resnet_torch.onnx");
        OnnxAheadOfTime.Result r = OnnxAheadOfTime.generate(onnx, "src/main/onnx/resnet_torch.onnx", 2, AheadOfTime.Variant.INFERENCE,
                "com.example.nets");
        assertEquals("com.example.nets.Resnet_torch_T2", r.source().qualifiedName());
        assertEquals("resnet_torch.safetensors", r.weightsFile());
        assertTrue(r.source().text().contains("src/main/onnx/resnet_torch.onnx"), "the class cites its model");
        TensorFile io = Safetensors.read(onnx.resolveSibling("resnet_torch.io.safetensors"));
        try (Network net = JaninoLoader.compile(r.source()).instantiate()) {
            assertEquals(r.weights().meta("graph_hash"), net.graphHash());
            NetworkFiles.loadWeights(net, r.weights(), Path.of("resnet_torch.safetensors"));
            Tensor x = io.get("x");
            System.arraycopy(x.floats(), 0, net.tensor(net.inputName()), 0, x.size());
            net.infer();
            double err = Run.relativeError(net.tensor(net.outputName()), Run.softmax(io.get("y").floats(), 2));
            assertTrue(err <= 1e-5, "relative error " + err);
        }
    }
}
