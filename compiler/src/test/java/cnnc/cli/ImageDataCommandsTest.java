package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.data.DataFiles;
import cnnc.runtime.data.DataLocator;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.io.Json;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, eval and predict on image folders, end to end through {@link Main#run}. */
@org.junit.jupiter.api.Timeout(900)
class ImageDataCommandsTest {

    static final String TINY_NORMALIZED = TrainCommandTest.TINY.formatted("0.05").replace("seed 3; }", "seed 3; normalize auto; }");

    static final String SHAPES = """
            network shapes {
                input  x : 3x16x16;
                target z : 3;
                c1 = conv(x, 8, kernel: 3x3);
                r1 = relu(c1);
                p1 = maxpool(r1, window: 2x2);
                c2 = conv(p1, 16, kernel: 3x3);
                r2 = relu(c2);
                p2 = maxpool(r2, window: 2x2);
                f  = full(p2, 3);
                y  = softmax(f);
                loss cross_entropy(y, z);
                train {
                    batch 20; epochs %d; seed 5;
                    optimizer adam(lr: 0.005);
                    normalize auto;
                    augment { flip: horizontal; crop: 16, pad: 2; }
                }
            }
            """;

    @TempDir
    Path dir;

    static void assertSameTensors(Path a, Path b) {
        TensorFile x = Safetensors.read(a);
        TensorFile y = Safetensors.read(b);
        assertEquals(x.names(), y.names());
        for (String n : x.names()) {
            assertArrayEquals(x.get(n).floats(), y.get(n).floats(), n);
        }
    }

    static String accuracy(String out, String prefix) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + " ([0-9.]+% \\(\\d+/\\d+\\))").matcher(out);
        assertTrue(m.find(), () -> "no '" + prefix + "' in\n" + out);
        return m.group(1);
    }

    @Test
    void fashionSubsetAsPngFoldersTrainsToTheSameBitsAsTheIdxFiles() throws IOException {
        DataFiles files = DataLocator.locate(Cli.data());
        Dataset train = files.train(10);
        Dataset test = files.test(10);
        // An image folder lists class by class; the IDX copy holds the same images in that order.
        Path idx = dir.resolve("idx");
        Files.createDirectories(idx);
        ImageSets.writeIdx(train, ImageSets.classMajor(train), idx.resolve("train-images-idx3-ubyte.gz"), idx.resolve("train-labels-idx1-ubyte.gz"));
        ImageSets.writeIdx(test, ImageSets.classMajor(test), idx.resolve("t10k-images-idx3-ubyte.gz"), idx.resolve("t10k-labels-idx1-ubyte.gz"));
        Path png = dir.resolve("png");
        ImageSets.writeGrayPngs(train, png, "train");
        ImageSets.writeGrayPngs(test, png, "test");
        Path model = dir.resolve("tiny.cnn");
        Files.writeString(model, TINY_NORMALIZED);

        Path a = dir.resolve("idx.safetensors");
        Path b = dir.resolve("png.safetensors");
        Cli ti = Cli.run("train", model.toString(), "--data", idx.toString(), "--save", a.toString(), "--threads", "2");
        assertEquals(0, ti.code(), ti::toString);
        Cli tp = Cli.run("train", model.toString(), "--data", png.toString(), "--cache", dir.resolve("cache").toString(), "--save",
                b.toString(), "--threads", "2");
        assertEquals(0, tp.code(), tp::toString);
        assertTrue(tp.err().contains("decoded " + (train.size() + test.size()) + " images"), tp::toString);
        assertSameTensors(a, b);
        assertEquals(accuracy(ti.out(), "final test accuracy"), accuracy(tp.out(), "final test accuracy"));
        TensorFile w = Safetensors.read(b);
        assertEquals(Safetensors.read(a).meta("input.mean"), w.meta("input.mean"));
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), Json.parse(w.meta("classes")));

        // the second run maps the cache instead of decoding, and gets the same bits again
        Path c = dir.resolve("again.safetensors");
        Cli again = Cli.run("train", model.toString(), "--data", png.toString(), "--cache", dir.resolve("cache").toString(), "--save",
                c.toString(), "--threads", "1");
        assertEquals(0, again.code(), again::toString);
        assertTrue(again.err().contains("images from the cache"), again::toString);
        assertSameTensors(a, c);

        // eval applies the stored normalization by itself: the same accuracy as training reported
        Cli e = Cli.run("eval", model.toString(), "--weights", b.toString(), "--data", png.toString(), "--cache",
                dir.resolve("cache").toString());
        assertEquals(0, e.code(), e::toString);
        assertEquals(accuracy(tp.out(), "final test accuracy"), accuracy(e.out(), "test accuracy"));
        assertTrue(e.out().contains("confusion matrix (rows: true class, columns: predicted class)"), e::toString);
    }

    @Test
    void aGivenNormalizationIsStoredAndEvalAppliesIt() throws IOException {
        Path model = dir.resolve("tiny.cnn");
        Files.writeString(model, TrainCommandTest.TINY.formatted("0.05").replace("seed 3; }", "seed 3; normalize { mean: 0.25; std: 0.5; } }"));
        Path w = dir.resolve("w.safetensors");
        Cli t = Cli.run("train", model.toString(), "--data", Cli.data(), "--save", w.toString());
        assertEquals(0, t.code(), t::toString);
        assertTrue(t.err().contains("normalization mean [0.25] std [0.5]"), t::toString);
        TensorFile f = Safetensors.read(w);
        assertEquals("[0.25]", f.meta("input.mean"));
        assertEquals("[0.5]", f.meta("input.std"));
        Cli e = Cli.run("eval", model.toString(), "--weights", w.toString(), "--data", Cli.data());
        assertEquals(0, e.code(), e::toString);
        assertEquals(accuracy(t.out(), "final test accuracy"), accuracy(e.out(), "test accuracy"));
        // without the normalization the same weights see other inputs: the stored one is what eval used
        Path plain = dir.resolve("plain.safetensors");
        TensorFile stripped = Safetensors.read(w);
        stripped.metadata().remove("input.mean");
        stripped.metadata().remove("input.std");
        Safetensors.write(plain, stripped);
        Cli e2 = Cli.run("eval", model.toString(), "--weights", plain.toString(), "--data", Cli.data());
        assertEquals(0, e2.code(), e2::toString);
        String normalized = e.out().lines().filter(l -> l.startsWith("test accuracy")).findFirst().orElseThrow();
        String raw = e2.out().lines().filter(l -> l.startsWith("test accuracy")).findFirst().orElseThrow();
        assertTrue(!normalized.equals(raw), normalized + " vs " + raw);
    }

    @Test
    void predictAgreesWithEvalImageByImage() throws IOException {
        DataFiles files = DataLocator.locate(Cli.data());
        Dataset test = files.test(10).head(120);
        Path png = dir.resolve("png");
        ImageSets.writeGrayPngs(files.train(10).head(200), png, "train");
        ImageSets.writeGrayPngs(test, png, "test");
        Path model = dir.resolve("tiny.cnn");
        Files.writeString(model, TINY_NORMALIZED);
        Path w = dir.resolve("w.safetensors");
        Cli t = Cli.run("train", model.toString(), "--data", Cli.data(), "--save", w.toString());
        assertEquals(0, t.code(), t::toString);
        Cli e = Cli.run("eval", model.toString(), "--weights", w.toString(), "--data", png.toString(), "--cache", dir.resolve("c").toString());
        assertEquals(0, e.code(), e::toString);
        Cli p = Cli.run("predict", model.toString(), "--weights", w.toString(), png.resolve("test").toString(), "--json", "--top", "2");
        assertEquals(0, p.code(), p::toString);
        // the confusion matrix rebuilt from predict's answers must be eval's, cell for cell
        int[][] m = new int[10][10];
        List<?> answers = (List<?>) Json.parse(p.out());
        assertEquals(test.size(), answers.size());
        for (Object o : answers) {
            Map<?, ?> a = (Map<?, ?>) o;
            Path f = Path.of((String) a.get("file"));
            int label = Integer.parseInt(f.getParent().getFileName().toString());
            List<?> preds = (List<?>) a.get("predictions");
            assertEquals(2, preds.size());
            Map<?, ?> top = (Map<?, ?>) preds.get(0);
            assertTrue(((Number) top.get("probability")).doubleValue() >= ((Number) ((Map<?, ?>) preds.get(1)).get("probability")).doubleValue());
            m[label][((Number) top.get("index")).intValue()]++;
        }
        assertEquals(ConfusionText.render(m, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
                e.out().substring(e.out().indexOf("per-class accuracy:")));
        Cli text = Cli.run("predict", model.toString(), "--weights", w.toString(), png.resolve("test/3/*.png").toString());
        assertEquals(0, text.code(), text::toString);
        assertTrue(text.out().lines().allMatch(l -> l.matches(".*/3/\\d{5}\\.png: \\d [0-9.]+%, \\d [0-9.]+%, \\d [0-9.]+%")), text::toString);
    }

    @Test
    void colouredShapesTrainToHighAccuracyAndAugmentationGivesTheSameBitsOnEveryThreadCount() throws IOException {
        Path data = dir.resolve("shapes");
        ImageSets.writeShapes(data, "train", 150, 16, 11);
        Path model = dir.resolve("shapes.cnn");
        Files.writeString(model, SHAPES.formatted(10));
        Path w = dir.resolve("shapes.safetensors");
        Path cache = dir.resolve("cache");
        Cli t = Cli.run("train", model.toString(), "--data", data.toString(), "--cache", cache.toString(), "--save", w.toString());
        assertEquals(0, t.code(), t::toString);
        assertTrue(t.err().contains("validation (10% of train/, seed 5"), t::toString);
        assertTrue(t.err().contains("augmentation: flip horizontal, random crop with padding 2"), t::toString);
        String acc = accuracy(t.out(), "final test accuracy");
        assertTrue(Double.parseDouble(acc.substring(0, acc.indexOf('%'))) >= 90, t::toString);
        assertEquals(List.of("circle", "cross", "square"), Json.parse(Safetensors.read(w).meta("classes")));
        Cli p = Cli.run("predict", model.toString(), "--weights", w.toString(), data.resolve("train/cross/0000.png").toString());
        assertEquals(0, p.code(), p::toString);
        assertTrue(p.out().contains("0000.png: cross "), p::toString);

        Files.writeString(model, SHAPES.formatted(1));
        Path[] byThreads = new Path[3];
        for (int threads = 1; threads <= 3; threads++) {
            byThreads[threads - 1] = dir.resolve("t" + threads + ".safetensors");
            Cli r = Cli.run("train", model.toString(), "--data", data.toString(), "--cache", cache.toString(), "--save",
                    byThreads[threads - 1].toString(), "--threads", Integer.toString(threads));
            assertEquals(0, r.code(), r::toString);
        }
        assertSameTensors(byThreads[0], byThreads[1]);
        assertSameTensors(byThreads[0], byThreads[2]);
    }
}
