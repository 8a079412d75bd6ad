package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Classifier;
import cnnc.runtime.Network;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.io.NetworkFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The compiler's side of {@code samples/embedded-app}: its committed weights
 * ({@code lenet5.safetensors}, {@code cnnc train samples/lenet5.cnn --epochs 1} on samples/data)
 * classify samples/data's test images, here with the Janino-loaded class at batch 64, exactly as
 * written in {@code lenet5.predictions.txt}, and {@code cnnc eval} counts as many correct. The
 * application's test checks that its ahead-of-time class (batch 1, compiled by javac, only the
 * runtime on its class path) predicts the same file. {@code bin/regenerate-goldens} rewrites the
 * file after the weights change.
 */
@org.junit.jupiter.api.Timeout(120)
class EmbeddedAppGoldenTest {

    private static final boolean regenerating = Boolean.getBoolean("cnnc.regenerate");

    static Path resources() {
        return Cli.root().resolve("samples/embedded-app/src/test/resources");
    }

    @Test
    void janinoClassAndCnncEvalAgreeWithTheCommittedPredictions() throws Exception {
        Path weights = resources().resolve("lenet5.safetensors");
        Path golden = resources().resolve("lenet5.predictions.txt");
        Path source = Cli.root().resolve("samples/lenet5.cnn");
        Model m = Pipeline.compile(SourceFile.of("lenet5.cnn", Files.readString(source)),
                Options.defaults().withBatch(64).withTraining(false));
        Network net = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated")).instantiate();
        Classifier classifier = Classifier.load(net, weights);
        Path data = Cli.root().resolve("samples/data");
        Dataset test = Dataset.fromIdx(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"), 10);
        float[][] images = new float[test.size()][test.pixels()];
        for (int i = 0; i < test.size(); i++) {
            for (int p = 0; p < test.pixels(); p++) {
                images[i][p] = test.pixel(i, p);
            }
        }
        int[] predicted = classifier.classify(images);
        int correct = 0;
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == test.label(i) ? 1 : 0;
            labels.append(predicted[i]).append(i % 50 == 49 ? "\n" : " ");
        }

        Cli eval = Cli.run("eval", source.toString(), "--weights", weights.toString(), "--data", data.toString(), "--threads", "1");
        assertEquals(0, eval.code(), eval.toString());
        Matcher acc = Pattern.compile("test accuracy [0-9.]+% \\((\\d+)/(\\d+)\\)").matcher(eval.out());
        assertTrue(acc.find(), eval.out());
        assertEquals(test.size(), Integer.parseInt(acc.group(2)));
        assertEquals(correct, Integer.parseInt(acc.group(1)), "cnnc eval and the class disagree on how many are right");

        String text = "# Predicted classes of samples/data's " + test.size() + " test images by samples/lenet5.cnn with\n"
                + "# lenet5.safetensors, in file order (EmbeddedAppGoldenTest in the compiler; bin/regenerate-goldens).\n"
                + "# correct " + correct + " of " + test.size() + "\n" + labels.toString().strip() + "\n";
        if (regenerating) {
            if (!Files.exists(golden) || !Files.readString(golden, StandardCharsets.UTF_8).equals(text)) {
                Files.writeString(golden, text, StandardCharsets.UTF_8);
                System.out.println("regenerated " + Cli.root().relativize(golden));
            }
            return;
        }
        if (!Files.exists(golden)) {
            fail("no " + golden + ": run bin/regenerate-goldens and commit it");
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), text,
                "the predictions changed; if the weights changed on purpose, run bin/regenerate-goldens");
        assertEquals(m.name(), NetworkFiles.loadWeights(net, weights).get(NetworkFiles.MODEL));
    }
}
