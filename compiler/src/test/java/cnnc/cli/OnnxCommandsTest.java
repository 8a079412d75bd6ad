package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import cnnc.runtime.io.Safetensors;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * cnnc import and export on the command line, .onnx wherever a .cnn is, and bad ONNX input: each a
 * clear message naming the file and what is wrong, exit 1, no stack trace.
 */
@Timeout(600)
class OnnxCommandsTest {

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return Cli.root().resolve("tools/onnx/fixtures").resolve(name);
    }

    static void assertUserError(Cli r, String... phrases) {
        assertEquals(1, r.code(), r.toString());
        for (String p : phrases) {
            assertTrue(r.err().contains(p), "missing '" + p + "' in\n" + r);
        }
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "a stack trace:\n" + r);
    }

    @Test
    void importWritesACnnFileAndWeightsThatCheckAndNeverOverwrites() throws IOException {
        Path cnn = tmp.resolve("lenet.cnn");
        Cli r = Cli.run("import", fixture("lenet_torch.onnx").toString(), "-o", cnn.toString());
        assertEquals(0, r.code(), r.toString());
        String text = Files.readString(cnn);
        assertTrue(text.contains("conv1 = conv(x, 4, kernel: 5x5);") && text.contains("// Conv '/conv1/Conv'"), text);
        assertTrue(text.contains("appended: the graph ends in logits"), text);
        assertTrue(text.contains("produced by pytorch") && text.contains("opset 9"), text);
        var w = Safetensors.read(tmp.resolve("lenet.safetensors"));
        assertEquals(List.of(4, 1, 5, 5), Arrays.stream(w.get("conv1.weight").shape()).boxed().toList());
        assertTrue(w.meta("graph_hash").startsWith("sha256:"));
        Cli check = Cli.run("check", cnn.toString());
        assertEquals(0, check.code(), check.toString());
        Cli again = Cli.run("import", fixture("lenet_torch.onnx").toString(), "-o", cnn.toString());
        assertUserError(again, "exists; add --force");
        assertEquals(0, Cli.run("import", fixture("lenet_torch.onnx").toString(), "-o", cnn.toString(), "--force").code());
    }

    /** A trained LeNet-5 exported and evaluated as .onnx scores what the .cnn with its weights scores; generate and train take it too. */
    @Test
    void onnxWorksWhereverACnnDoes() throws IOException {
        Path weights = tmp.resolve("lenet5.safetensors");
        Cli train = Cli.run("train", "samples/lenet5.cnn", "--epochs", "1", "--data", Cli.data(), "--save", weights.toString(), "--threads", "2");
        assertEquals(0, train.code(), train.toString());
        Path onnx = tmp.resolve("lenet5.onnx");
        Cli export = Cli.run("export", "samples/lenet5.cnn", "--weights", weights.toString(), "-o", onnx.toString());
        assertEquals(0, export.code(), export.toString());
        Cli fromCnn = Cli.run("eval", "samples/lenet5.cnn", "--weights", weights.toString(), "--data", Cli.data());
        Cli fromOnnx = Cli.run("eval", onnx.toString(), "--data", Cli.data());
        assertEquals(0, fromOnnx.code(), fromOnnx.toString());
        assertEquals(accuracy(fromCnn), accuracy(fromOnnx));
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setPixel(14, 14, new int[] {255});
        Path png = tmp.resolve("dot.png");
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        Cli predictCnn = Cli.run("predict", "samples/lenet5.cnn", "--weights", weights.toString(), png.toString(), "--top", "2");
        Cli predictOnnx = Cli.run("predict", onnx.toString(), png.toString(), "--top", "2");
        assertEquals(0, predictOnnx.code(), predictOnnx.toString());
        assertEquals(predictCnn.out(), predictOnnx.out(), "the same classes and probabilities");
        Cli dump = Cli.run("dump", onnx.toString());
        assertEquals(0, dump.code(), dump.toString());
        assertTrue(dump.out().contains("c2 : 1x16x10x10 = conv(p1)") || dump.out().contains("c2"), dump.out());
        Path gen = tmp.resolve("gen");
        Cli generate = Cli.run("generate", onnx.toString(), "--package", "app.nets", "--inference", "-o", gen.toString());
        assertEquals(0, generate.code(), generate.toString());
        assertTrue(Files.exists(gen.resolve("lenet5.safetensors")), generate.toString());
        try (var files = Files.walk(gen)) {
            assertTrue(files.anyMatch(p -> p.toString().endsWith(".java")), generate.toString());
        }
        Path tuned = tmp.resolve("tuned.safetensors");
        Cli fineTune = Cli.run("train", onnx.toString(), "--epochs", "1", "--data", Cli.data(), "--save", tuned.toString(), "--threads", "2");
        assertEquals(0, fineTune.code(), fineTune.toString());
        assertTrue(Safetensors.read(tuned).meta("graph_hash").equals(Safetensors.read(weights).meta("graph_hash")),
                "the imported graph is the exported one");
        Cli exportAgain = Cli.run("export", "samples/lenet5.cnn", "--weights", weights.toString(), "-o", onnx.toString());
        assertUserError(exportAgain, "exists; add --force");
        assertUserError(Cli.run("export", "samples/lenet5.cnn", "--weights", weights.toString(), "-o", tmp.resolve("o.onnx").toString(),
                "--opset", "7"), "--opset 7 is not supported");
    }

    private static String accuracy(Cli r) {
        return r.out().lines().filter(l -> l.startsWith("test accuracy")).findFirst().orElseThrow(() -> new AssertionError(r.toString()));
    }

    // ---- bad input

    @Test
    void truncatedGarbageAndEmptyFilesAreNotModels() throws IOException {
        byte[] model = Files.readAllBytes(fixture("lenet_torch.onnx"));
        Path truncated = write("truncated.onnx", Arrays.copyOf(model, model.length / 2));
        assertUserError(Cli.run("check", truncated.toString()), "truncated.onnx", "not an ONNX model");
        byte[] junk = new byte[4000];
        new Random(5).nextBytes(junk);
        assertUserError(Cli.run("import", write("garbage.onnx", junk).toString(), "-o", tmp.resolve("g.cnn").toString()),
                "garbage.onnx", "not an ONNX model");
        assertUserError(Cli.run("check", write("empty.onnx", new byte[0]).toString()), "empty.onnx", "not an ONNX model");
        assertFalse(Files.exists(tmp.resolve("g.cnn")), "nothing written for a bad model");
    }

    @Test
    void aProtobufThatIsNotAModel() throws IOException {
        byte[] tensor = OnnxMl.TensorProto.newBuilder().setName("w").addDims(3).setDataType(1).addFloatData(1).addFloatData(2)
                .addFloatData(3).build().toByteArray();
        assertUserError(Cli.run("check", write("tensor.onnx", tensor).toString()), "tensor.onnx", "not an ONNX model");
    }

    @Test
    void aCycleAndAMissingInputAreReported() throws IOException {
        OnnxMl.GraphProto.Builder g = graph(4);
        g.addNode(node("Relu", "a", List.of("b"), "a")).addNode(node("Relu", "b", List.of("a"), "b"))
                .addNode(node("Relu", "c", List.of("nowhere"), "c")).addOutput(info("c", 1, 4));
        Cli r = Cli.run("check", write("cycle.onnx", model(g)).toString());
        assertUserError(r, "cycle.onnx", "the graph has a cycle: Relu 'a', Relu 'b'",
                "node Relu 'c' reads 'nowhere', which no node, input or initializer of the graph defines");
    }

    @Test
    void everyUnsupportedNodeIsReportedInOneRun() throws IOException {
        OnnxMl.GraphProto.Builder g = graph(4);
        g.addInitializer(floats("w", new long[] {2, 1, 3, 3}, 18));
        g.addNode(node("Conv", "conv", List.of("x", "w"), "c").toBuilder().addAttribute(OnnxMl.AttributeProto.newBuilder()
                .setName("group").setType(OnnxMl.AttributeProto.AttributeType.INT).setI(2)).build());
        g.addNode(node("Erf", "erf", List.of("x"), "e"));
        g.addNode(node("Relu", "relu", List.of("e"), "r"));
        g.addNode(node("HardSwish", "hs", List.of("r"), "h"));
        g.addNode(node("MaxPool", "pool", List.of("h"), "p").toBuilder().addAttribute(ints("kernel_shape", 2, 2))
                .addAttribute(ints("pads", 1, 1, 1, 1)).build());
        g.addOutput(info("p", 1, 1, 3, 3));
        Cli r = Cli.run("check", write("mixed.onnx", model(g)).toString());
        assertUserError(r, "mixed.onnx: 4 problems", "node Conv 'conv': group 2 is not supported",
                "node Erf 'erf': operator Erf is not supported", "node HardSwish 'hs': operator HardSwish is not supported",
                "node MaxPool 'pool': pads [1,1,1,1] are not supported");
    }

    @Test
    void mismatchedInitializersAreNamed() throws IOException {
        OnnxMl.GraphProto.Builder g = graph(4);
        g.addInitializer(floats("w", new long[] {2, 3, 3, 3}, 54)); // 3 input channels for a 1-channel input
        g.addInitializer(floats("short", new long[] {5, 5}, 7)); // dims say 25 values, it holds 7
        g.addNode(node("Conv", "conv", List.of("x", "w"), "c"));
        g.addNode(node("MatMul", "mm", List.of("c", "short"), "m"));
        g.addOutput(info("m", 1, 5));
        Cli r = Cli.run("check", write("shapes.onnx", model(g)).toString());
        assertUserError(r, "shapes.onnx", "initializer tensor 'short' has dims [5, 5] (25 values) but holds 28 bytes",
                "node Conv 'conv': weight 'w' is [2,3,3,3] but the input [N,1,4,4] needs [K,1,M,N]");
    }

    @Test
    void unknownDimensionsAskForAnInputShape() throws IOException {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("dyn");
        OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
        for (String d : new String[] {"N", "C", "H", "W"}) {
            s.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(d));
        }
        g.addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x").setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))));
        g.addNode(node("GlobalAveragePool", "gap", List.of("x"), "y"));
        g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y"));
        Path f = write("dyn.onnx", model(g));
        assertUserError(Cli.run("check", f.toString()), "input 'x' has shape [N,C,H,W]", "--input-shape CxHxW");
        Cli ok = Cli.run("check", f.toString(), "--input-shape", "3x8x8");
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("avgpool"), ok.out());
        assertUserError(Cli.run("check", f.toString(), "--input-shape", "3x8"), "--input-shape '3x8' is not CxHxW");
    }

    @Test
    void externalDataIsReadOrRefusedByName() throws IOException {
        OnnxMl.GraphProto.Builder g = graph(4);
        g.addInitializer(OnnxMl.TensorProto.newBuilder().setName("w").addDims(2).addDims(1).addDims(3).addDims(3).setDataType(1)
                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin")));
        g.addNode(node("Conv", "conv", List.of("x", "w"), "c"));
        g.addOutput(info("c", 1, 2, 2, 2));
        Path f = write("ext.onnx", model(g));
        assertUserError(Cli.run("check", f.toString()), "tensor 'w' is stored in external file 'w.bin', which is not there");
        ByteBuffer b = ByteBuffer.allocate(18 * 4).order(ByteOrder.LITTLE_ENDIAN);
        write("w.bin", b.array());
        Cli ok = Cli.run("check", f.toString());
        assertEquals(0, ok.code(), ok.toString());
    }

    // ---- building small models

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private static OnnxMl.GraphProto.Builder graph(int size) {
        return OnnxMl.GraphProto.newBuilder().setName("g").addInput(info("x", 1, 1, size, size));
    }

    private static byte[] model(OnnxMl.GraphProto.Builder g) {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(7).setProducerName("test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
    }

    private static OnnxMl.NodeProto node(String op, String name, List<String> in, String out) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out).build();
    }

    private static OnnxMl.ValueInfoProto info(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    private static OnnxMl.TensorProto floats(String name, long[] dims, int count) {
        ByteBuffer b = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            b.putFloat(0.1f * i);
        }
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... v) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }
}
