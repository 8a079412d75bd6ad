package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Command paths no other test takes: {@code train}, {@code eval}, {@code bench} and
 * {@code gradcheck} with {@code --device opencl}; {@code generate --inference}; and
 * {@code init: xavier} reaching the weights training starts from.
 */
@org.junit.jupiter.api.Timeout(300)
class CommandPathsTest {

    @TempDir
    Path dir;

    private Path tiny() throws IOException {
        Path p = dir.resolve("tiny.cnn");
        Files.writeString(p, TrainCommandTest.TINY.formatted("0.05"));
        return p;
    }

    private static String count(String text, String prefix) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + " [0-9.]+% \\((\\d+/\\d+)\\)").matcher(text);
        assertTrue(m.find(), () -> "no '" + prefix + "' in\n" + text);
        return m.group(1);
    }

    @Test
    void trainAndEvalOnOpenCl() throws IOException {
        Path w = dir.resolve("w.safetensors");
        Cli t = Cli.run("train", tiny().toString(), "--data", Cli.data(), "--device", "opencl", "--save", w.toString());
        assertEquals(0, t.code(), t::toString);
        assertTrue(t.err().contains("epoch 1/1"), t::toString);
        String trained = count(t.out(), "final test accuracy");
        assertTrue(Integer.parseInt(trained.split("/")[0]) > 250, "better than chance on 500 images: " + trained);
        Cli e = Cli.run("eval", tiny().toString(), "--weights", w.toString(), "--data", Cli.data(), "--device", "opencl");
        assertEquals(0, e.code(), e::toString);
        assertEquals(trained, count(e.out(), "test accuracy"), e::toString);
    }

    @Test
    void benchOnOpenCl() throws IOException {
        Cli b = Cli.run("bench", tiny().toString(), "--device", "opencl", "--time", "0.05", "--max-warmup", "2");
        assertEquals(0, b.code(), b::toString);
        Matcher m = Pattern.compile("(?m)^train_images_per_s ([0-9.]+)$").matcher(b.out());
        assertTrue(m.find(), b::toString);
        assertTrue(Double.parseDouble(m.group(1)) > 0, b::toString);
    }

    @Test
    void gradcheckOnOpenCl() {
        Path model = Cli.root().resolve("compiler/src/test/resources/gradcheck/lenet_small.cnn");
        Cli c = Cli.run("gradcheck", model.toString(), "--device", "opencl", "--max-per-tensor", "4");
        assertEquals(0, c.code(), c::toString);
        assertTrue(c.out().endsWith("PASS\n"), c::toString);
    }

    /** The written inference class (plain Java) infers, on the same weights, the bits the plain training variant infers. */
    @Test
    void generateInferenceWritesAClassThatInfersLikeTheTrainingVariant() throws IOException {
        Path model = Cli.root().resolve("samples/fashion_bn.cnn");
        Path out = dir.resolve("gen");
        Cli g = Cli.run("generate", model.toString(), "--inference", "--package", "app.nets", "--batch", "1", "-o", out.toString());
        assertEquals(0, g.code(), g::toString);
        Path file;
        try (var s = Files.walk(out)) {
            file = s.filter(p -> p.toString().endsWith(".java")).findFirst().orElseThrow();
        }
        String name = file.getFileName().toString().replace(".java", "");
        Network inf = JaninoLoader.compile(new JavaBackend.Source("app.nets", name, Files.readString(file))).instantiate();
        var m = Pipeline.compile(SourceFile.of("fashion_bn.cnn", Files.readString(model)), Options.defaults().withBatch(1));
        Network train = JaninoLoader.compile(JavaBackend.generate(m, "app.check", false)).instantiate();
        for (TensorSpec s : inf.tensors()) {
            assertFalse(s.role() == TensorSpec.Role.GRADIENT || s.role() == TensorSpec.Role.SENSITIVITY
                    || s.role() == TensorSpec.Role.PATH, "the inference class holds " + s.name());
        }
        Random r = new Random(5);
        for (String p : inf.parameterNames()) {
            float[] a = inf.tensor(p);
            for (int i = 0; i < a.length; i++) {
                a[i] = p.endsWith("running_var") ? 0.5f + r.nextFloat() : (float) (0.1 * r.nextGaussian());
            }
            System.arraycopy(a, 0, train.tensor(p), 0, a.length);
        }
        float[] x = inf.tensor(inf.inputName());
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        System.arraycopy(x, 0, train.tensor(train.inputName()), 0, x.length);
        inf.infer();
        train.infer();
        assertArrayEquals(train.tensor(train.outputName()), inf.tensor(inf.outputName()));
    }

    /**
     * {@code init: xavier} on a conv with fan_in 9 and fan_out 144: training starts from weights of
     * std sqrt(2/153) = 0.114, not he's sqrt(2/9) = 0.471. A learning rate of 1e-20 leaves them as drawn.
     */
    @Test
    void xavierReachesTheWeightsTrainingStartsFrom() throws IOException {
        String text = """
                network wide {
                    input  x : 1x28x28;
                    target z : 10;
                    a = conv(x, 16, kernel: 3x3, stride: 4x4, init: xavier);
                    b = conv(x, 16, kernel: 3x3, stride: 4x4);
                    s = add(a, b);
                    f = full(s, 10);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                    train { batch 50; epochs 1; optimizer sgd(lr: 1e-20); seed 3; }
                }
                """;
        Path model = dir.resolve("wide.cnn");
        Files.writeString(model, text);
        Path w = dir.resolve("w.safetensors");
        Cli t = Cli.run("train", model.toString(), "--data", Cli.data(), "--save", w.toString());
        assertEquals(0, t.code(), t::toString);
        TensorFile f = Safetensors.read(w);
        double xavier = std(f.get("a.weight").floats());
        double he = std(f.get("b.weight").floats());
        assertTrue(Math.abs(xavier - Math.sqrt(2.0 / 153)) < 0.25 * Math.sqrt(2.0 / 153), "xavier std " + xavier);
        assertTrue(Math.abs(he - Math.sqrt(2.0 / 9)) < 0.25 * Math.sqrt(2.0 / 9), "he std " + he);
    }

    /** Found by ProgramFuzzTest: a conv on a dead branch made train fail with "no float tensor 'grad.d.weight'". */
    @Test
    void aParameterThatDoesNotReachTheLossIsLeftAsItWas() throws IOException {
        Path model = dir.resolve("dead.cnn");
        Files.writeString(model, TrainCommandTest.TINY.formatted("0.05").replace("y = softmax(f);", "y = softmax(f);\n    d = conv(x, 2, kernel: 3x3);"));
        Path w = dir.resolve("w.safetensors");
        Cli t = Cli.run("train", model.toString(), "--data", Cli.data(), "--save", w.toString());
        assertEquals(0, t.code(), t::toString);
        String trained = count(t.out(), "final test accuracy");
        assertTrue(Integer.parseInt(trained.split("/")[0]) > 250, "the live part trains: " + trained);
        assertTrue(Safetensors.read(w).get("d.weight") != null);
    }

    private static double std(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return Math.sqrt(s / a.length);
    }
}
