package cnnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.Network;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

/**
 * {@code src/main/onnx/*.onnx}: the goal writes a class and its weights as a class path resource;
 * compiled by javac and loaded the way docs/embedding.md says, it computes what PyTorch computed
 * for the same file (tools/onnx/fixtures, exported by PyTorch 1.13 with its inputs and outputs).
 */
@org.junit.jupiter.api.Timeout(300)
class OnnxGenerateTest extends MojoFixture {

    static final Path FIXTURES = Path.of(System.getProperty("cnnc.root", "..")).resolve("tools/onnx/fixtures");

    Path onnx(String name) throws Exception {
        Path p = dir.resolve("src/main/onnx").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.copy(FIXTURES.resolve(name), p);
    }

    @Test
    void theClassAndItsWeightsResourceReproducePyTorch() throws Exception {
        onnx("lenet_torch.onnx");
        GenerateMojo m = mojo("inference");
        m.batch = 2; // the fixture's batch
        m.execute();
        Path src = dir.resolve("target/generated-sources/cnnc/com/example/nets/Lenet_torch_T2.java");
        Path res = dir.resolve("target/generated-resources/cnnc");
        Path weights = res.resolve("com/example/nets/lenet_torch.safetensors");
        String text = Files.readString(src);
        assertTrue(text.startsWith(OutputFiles.HEADER + "src/main/onnx/lenet_torch.onnx: edit the model"), text);
        assertTrue(OutputFiles.isGenerated(src));
        assertTrue(Files.isRegularFile(weights));
        assertEquals(List.of(m.outputDirectory.getPath()), m.project.getCompileSourceRoots());
        assertEquals(List.of(res.toString()), m.project.getResources().stream().map(r -> r.getDirectory()).toList());

        // javac, as the project's build would, against cnnc-runtime (on this test's class path)
        Path classes = Files.createDirectories(dir.resolve("target/classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String cp = String.join(File.pathSeparator, workerClasspath().stream().map(Path::toString).toList());
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), "-cp", cp, "--release", "17", src.toString()));

        reproducesPyTorch(classes.toUri().toURL(), res.toUri().toURL());
        // packaged: the weights inside a jar, read through its file system as docs/embedding.md says
        Path jar = dir.resolve("target/app.jar");
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"))) {
            Path in = zip.getPath("com/example/nets/lenet_torch.safetensors");
            Files.createDirectories(in.getParent());
            Files.copy(weights, in);
        }
        reproducesPyTorch(classes.toUri().toURL(), jar.toUri().toURL());

        // a second run writes nothing; a removed model takes its class and weights with it
        FileTime old = FileTime.fromMillis(1_000_000);
        Files.setLastModifiedTime(weights, old);
        mojo("inference").execute(); // batch 1 now: another class, the same weights
        assertEquals(old, Files.getLastModifiedTime(weights));
        Files.delete(dir.resolve("src/main/onnx/lenet_torch.onnx"));
        mojo("inference").execute();
        assertFalse(Files.exists(weights));
        assertFalse(Files.exists(src));
    }

    @Test
    void weightsTheUserChangedAreNotOverwritten() throws Exception {
        onnx("lenet_torch.onnx");
        mojo("inference").execute();
        Path weights = dir.resolve("target/generated-resources/cnnc/com/example/nets/lenet_torch.safetensors");
        Files.write(weights, new byte[] {1, 2, 3});
        String msg = assertThrows(MojoFailureException.class, () -> mojo("inference").execute()).getMessage();
        assertTrue(msg.startsWith("cnnc: will not overwrite target/generated-resources/cnnc/com/example/nets/lenet_torch.safetensors"), msg);
        assertEquals(3, Files.size(weights));
    }

    @Test
    void aBadOnnxFileFailsNamingIt() throws Exception {
        Files.createDirectories(dir.resolve("src/main/onnx"));
        Files.write(dir.resolve("src/main/onnx/broken.onnx"), "not a protobuf at all\n".getBytes());
        byte[] lenet = Files.readAllBytes(FIXTURES.resolve("lenet_torch.onnx"));
        Files.write(dir.resolve("src/main/onnx/cut.onnx"), java.util.Arrays.copyOf(lenet, lenet.length / 2));
        String msg = assertThrows(MojoFailureException.class, () -> mojo("inference").execute()).getMessage();
        List<String> lines = List.of(msg.split("\n"));
        assertEquals("cnnc: 2 models have errors:", lines.get(0), msg);
        assertTrue(lines.get(1).startsWith("src/main/onnx/broken.onnx: "), msg);
        assertTrue(msg.contains("\nsrc/main/onnx/cut.onnx: "), msg);
        assertFalse(msg.contains("Exception"), "no stack trace or exception name: " + msg);
        assertFalse(Files.exists(dir.resolve("target/generated-sources/cnnc/com")));
        assertFalse(Files.exists(dir.resolve("target/generated-resources/cnnc/com")));
    }

    @Test
    void aDanglingLinkInTheOnnxDirectory() throws Exception {
        Files.createDirectories(dir.resolve("src/main/onnx"));
        Files.createSymbolicLink(dir.resolve("src/main/onnx/gone.onnx"), Path.of("moved/gone.onnx"));
        String msg = assertThrows(MojoFailureException.class, () -> mojo("inference").execute()).getMessage();
        assertEquals("cnnc: cannot read the model src/main/onnx/gone.onnx: it is a link to moved/gone.onnx, which does not exist;"
                + " make it a readable .onnx file or remove it from src/main/onnx", msg);
    }

    /** Loads the class and its weights from {@code classPath} the way docs/embedding.md shows, and compares with PyTorch. */
    void reproducesPyTorch(URL... classPath) throws Exception {
        TensorFile io = Safetensors.read(FIXTURES.resolve("lenet_torch.io.safetensors"));
        try (URLClassLoader loader = new URLClassLoader(classPath, getClass().getClassLoader())) {
            Class<?> cls = loader.loadClass("com.example.nets.Lenet_torch_T2");
            URL url = cls.getResource("lenet_torch.safetensors");
            assertNotNull(url, "the weights are on the class path beside the class");
            URI uri = url.toURI();
            try (Network net = (Network) cls.getDeclaredConstructor().newInstance();
                    FileSystem jar = uri.getScheme().equals("jar") ? FileSystems.newFileSystem(uri, Map.of()) : null) {
                Map<String, String> meta = NetworkFiles.loadWeights(net, Path.of(uri));
                assertEquals(net.graphHash(), meta.get("graph_hash"));
                Tensor x = io.get("x");
                System.arraycopy(x.floats(), 0, net.tensor(net.inputName()), 0, x.size());
                net.infer();
                double err = relativeError(net.tensor(net.outputName()), softmax(io.get("y").floats(), 2));
                assertTrue(err <= 1e-5, "relative error " + err + " from " + uri);
            }
        }
    }

    static double relativeError(float[] a, double[] b) {
        assertEquals(b.length, a.length);
        double err = 0;
        double scale = 1e-30;
        for (int i = 0; i < a.length; i++) {
            err = Math.max(err, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return err / scale;
    }

    /** PyTorch's model ends in logits; the imported network ends in softmax (as the importer documents). */
    static double[] softmax(float[] logits, int rows) {
        int k = logits.length / rows;
        double[] out = new double[logits.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                max = Math.max(max, logits[r * k + i]);
            }
            double sum = 0;
            for (int i = 0; i < k; i++) {
                out[r * k + i] = Math.exp(logits[r * k + i] - max);
                sum += out[r * k + i];
            }
            for (int i = 0; i < k; i++) {
                out[r * k + i] /= sum;
            }
        }
        return out;
    }
}
