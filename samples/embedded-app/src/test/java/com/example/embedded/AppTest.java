package com.example.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.Classifier;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import com.example.embedded.nets.Lenet5_T1;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded class predicts what the compiler predicts (the file the compiler's
 * EmbeddedAppGoldenTest checks against its Janino class and {@code cnnc eval}), and runs with the
 * runtime alone on the class path.
 */
@org.junit.jupiter.api.Timeout(120)
class AppTest {

    @TempDir
    Path dir;

    static Path resource(String name) throws URISyntaxException {
        return Path.of(AppTest.class.getResource("/" + name).toURI());
    }

    static Dataset testSet() throws Exception {
        Path data = Path.of(System.getProperty("data.dir", "../data"));
        return Dataset.fromIdx(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"), 10);
    }

    @Test
    void predictionsEqualTheCompilers() throws Exception {
        List<String> lines = Files.readAllLines(resource("lenet5.predictions.txt"));
        List<Integer> expected = new ArrayList<>();
        int expectedCorrect = -1;
        for (String line : lines) {
            if (line.startsWith("# correct ")) {
                expectedCorrect = Integer.parseInt(line.split(" ")[2]);
            } else if (!line.startsWith("#")) {
                for (String s : line.trim().split("\\s+")) {
                    expected.add(Integer.parseInt(s));
                }
            }
        }
        Dataset test = testSet();
        assertEquals(test.size(), expected.size());

        Classifier classifier = App.classifier(resource("lenet5.safetensors"));
        float[][] images = App.images(test);
        int correct = 0;
        for (int i = 0; i < images.length; i++) {
            int label = classifier.classify(images[i]);
            assertEquals((int) expected.get(i), label, "image " + i);
            correct += label == test.label(i) ? 1 : 0;
        }
        assertEquals(expectedCorrect, correct);
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), classifier.classify(images));
        float[] p = classifier.probabilities(images[0]);
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-5);
    }

    @Test
    void theGeneratedClassIsTheInferenceVariantWithItsGraphHash() throws Exception {
        Lenet5_T1 net = new Lenet5_T1();
        assertEquals("lenet5", Lenet5_T1.NETWORK);
        assertEquals(1, Lenet5_T1.BATCH);
        assertTrue(Lenet5_T1.INFERENCE);
        assertEquals(784, net.input().length);
        assertEquals(10, net.output().length);
        assertEquals(Lenet5_T1.GRAPH_HASH, net.graphHash());
        // cnnc train stored the same graph hash in the weights file
        assertEquals(Lenet5_T1.GRAPH_HASH, Safetensors.read(resource("lenet5.safetensors")).meta(NetworkFiles.GRAPH_HASH));
        assertTrue(net.tensors().stream().noneMatch(s -> s.name().startsWith("grad.") || s.name().startsWith("path.")),
                "no sensitivities, gradients or path tensors");
        assertThrows(IllegalStateException.class, net::backward);
    }

    @Test
    void weightsOfAnotherGraphAreRefusedNamingTheTensorAndBothShapes() throws Exception {
        TensorFile f = Safetensors.read(resource("lenet5.safetensors"));
        TensorFile other = new TensorFile();
        for (String name : f.names()) {
            other.put(name, name.equals("c1.weight") ? Tensor.f32(new int[] {6, 1, 3, 3}, new float[54]) : f.get(name));
        }
        other.metadata().putAll(f.metadata());
        other.metadata().put(NetworkFiles.GRAPH_HASH, "sha256:0123456789abcdef0123");
        Path p = dir.resolve("other.safetensors");
        Safetensors.write(p, other);
        Lenet5_T1 net = new Lenet5_T1();
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Classifier.load(net, p));
        assertTrue(e.getMessage().contains("c1.weight: file has [6, 1, 3, 3], model expects [6, 1, 5, 5]"), e.getMessage());
        assertTrue(e.getMessage().contains("graph_hash 0123456789ab..., this network's "
                + Lenet5_T1.GRAPH_HASH.substring(7, 19)), e.getMessage());
        assertEquals(0f, net.tensor("c1.bias")[0], "nothing was loaded");
    }

    @Test
    void theClassPathHoldsTheRuntimeButNotTheCompiler() {
        for (String name : new String[] {"org.codehaus.janino.SimpleCompiler", "org.antlr.v4.runtime.Lexer", "cnnc.cli.Main",
            "cnnc.backend.java.JavaBackend", "com.palantir.javapoet.JavaFile", "picocli.CommandLine"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name + " is on the class path");
        }
        String cp = System.getProperty("java.class.path");
        boolean runtime = false;
        for (String entry : cp.split(File.pathSeparator)) {
            String file = Path.of(entry).getFileName().toString();
            assertFalse(file.contains("janino") || file.contains("antlr") || file.contains("cnnc-compiler")
                    || file.contains("cnnc-grammar") || file.contains("picocli") || file.contains("javapoet"), entry);
            runtime |= entry.contains("cnnc-runtime") || entry.replace('\\', '/').endsWith("runtime/target/classes");
        }
        assertTrue(runtime, "cnnc-runtime is on the class path: " + cp);
        assertNull(AppTest.class.getClassLoader().getResource("cnnc/cli/Main.class"));
    }
}
