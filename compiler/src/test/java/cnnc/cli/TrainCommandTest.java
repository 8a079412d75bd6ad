package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, eval and their weight files, end to end through {@link Main#run} on the shipped data subset. */
@org.junit.jupiter.api.Timeout(120)
class TrainCommandTest {

    /** Small enough to train in a second; the conv is big enough for the generated code to use its threads. */
    static final String TINY = """
            network tiny {
                input  x : 1x28x28;
                target z : 10;
                c = conv(x, 4, kernel: 3x3, stride: 2x2);    // 4x14x14
                r = relu(c);
                p = avgpool(r, window: 2x2);                 // 4x7x7
                f = full(p, 10, init: xavier);
                y = softmax(f);
                loss cross_entropy(y, z);
                train { batch 50; epochs 1; optimizer sgd(lr: %s, momentum: 0.9); seed 3; }
            }
            """;

    @TempDir
    Path dir;

    private Path model(String file, String lr) throws IOException {
        Path p = dir.resolve(file);
        Files.writeString(p, TINY.formatted(lr));
        return p;
    }

    private Cli train(Path model, String... more) {
        String[] base = {"train", model.toString(), "--data", Cli.data(), "--threads", "2"};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return Cli.run(args);
    }

    private static String counts(String text, String prefix) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + " [0-9.]+% \\((\\d+/\\d+)\\)").matcher(text);
        assertTrue(m.find(), () -> "no '" + prefix + "' in\n" + text);
        return m.group(1);
    }

    /** The second run loads the class the first compiled and kept, and trains to the same bits. */
    @Test
    void aSecondRunLoadsItsClassFromTheClassCacheAndTrainsTheSame() throws IOException {
        Path cache = dir.resolve("classes");
        Path model = model("tiny.cnn", "0.05");
        Path w1 = dir.resolve("w1.safetensors");
        Path w2 = dir.resolve("w2.safetensors");
        Cli first = train(model, "--save", w1.toString(), "--class-cache", cache.toString());
        assertEquals(0, first.code(), first::toString);
        assertTrue(first.err().matches("(?s).*class compiled in [0-9,]+ ms \\(Java source [0-9,]+ ms, Janino [0-9,]+ ms\\), kept in the class cache "
                + Pattern.quote(cache.toString()) + "\n.*"), first::toString);
        Cli second = train(model, "--save", w2.toString(), "--class-cache", cache.toString());
        assertEquals(0, second.code(), second::toString);
        assertTrue(second.err().matches("(?s).*class loaded from the class cache " + Pattern.quote(cache.toString()) + " in [0-9,]+ ms\n.*"),
                second::toString);
        assertEquals(counts(first.out(), "final test accuracy"), counts(second.out(), "final test accuracy"));
        TensorFile a = Safetensors.read(w1);
        TensorFile b = Safetensors.read(w2);
        for (String name : java.util.List.of("c.weight", "c.bias", "f.weight", "f.bias")) {
            assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name);
        }
    }

    @Test
    void trainsOneEpochWritesWeightsWithMetadataAndEvalReproducesTheAccuracy() throws IOException {
        Path w = dir.resolve("w.safetensors");
        Cli t = train(model("tiny.cnn", "0.05"), "--save", w.toString());
        assertEquals(0, t.code(), t::toString);
        assertTrue(t.err().contains("epoch 1/1"), t::toString);
        assertTrue(t.out().contains("weights saved to " + w), t::toString);
        String trained = counts(t.out(), "final test accuracy");
        assertTrue(Integer.parseInt(trained.split("/")[0]) > 250, "better than chance on 500 images: " + trained);

        TensorFile f = Safetensors.read(w);
        assertEquals("tiny", f.meta("model"));
        assertEquals("1", f.meta("epoch"));
        assertTrue(f.meta("graph_hash").matches("sha256:[0-9a-f]{64}"), f.metadata()::toString);
        assertNotNull(f.get("c.weight"));
        assertArrayEquals(new int[] {10, 196}, f.get("f.weight").shape());

        Cli e = Cli.run("eval", dir.resolve("tiny.cnn").toString(), "--weights", w.toString(), "--data", Cli.data(), "--threads", "2");
        assertEquals(0, e.code(), e::toString);
        assertEquals(trained, counts(e.out(), "test accuracy"), e::toString);
    }

    @Test
    void resumingGivesTheWeightsOfAnUninterruptedRunWhateverTheThreads() throws IOException {
        Path tiny = model("tiny.cnn", "0.05");
        Path straight = dir.resolve("straight.safetensors");
        Path resumed = dir.resolve("resumed.safetensors");
        assertEquals(0, train(tiny, "--epochs", "2", "--save", straight.toString()).code());
        assertEquals(0, Cli.run("train", tiny.toString(), "--data", Cli.data(), "--threads", "1", "--save", resumed.toString()).code());
        Path continued = dir.resolve("continued.safetensors");
        Cli r = train(tiny, "--epochs", "2", "--resume", resumed.toString(), "--save", continued.toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("resuming tiny from"), r::toString);
        assertTrue(r.out().contains("epoch 2 of 2"), r::toString);
        TensorFile a = Safetensors.read(straight);
        TensorFile b = Safetensors.read(continued);
        assertEquals("2", b.meta("epoch"));
        for (String name : a.names()) {
            assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name);
        }
        Cli again = train(tiny, "--epochs", "2", "--resume", continued.toString(), "--save", dir.resolve("again.safetensors").toString());
        assertEquals(0, again.code(), again::toString);
        assertTrue(again.out().contains("nothing to train"), again::toString);
    }

    @Test
    void aDivergingRunStopsWithExit1AndKeepsTheLastCheckpoint() throws IOException {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, train(model("tiny.cnn", "0.05"), "--save", w.toString()).code());
        byte[] before = Files.readAllBytes(w);
        Cli d = train(model("hot.cnn", "1e30"), "--epochs", "2", "--resume", w.toString(), "--runs", dir.resolve("runs").toString());
        assertEquals(1, d.code(), d::toString);
        assertTrue(d.err().contains("training diverged in epoch 2"), d::toString);
        assertTrue(d.err().contains("is unchanged"), d::toString);
        assertFalse(d.err().contains("Exception"), d::toString);
        assertArrayEquals(before, Files.readAllBytes(w));
    }

    @Test
    void weightsOfAnotherGraphAreRefusedNamingTheTensorAndBothShapes() throws IOException {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, train(model("tiny.cnn", "0.05"), "--save", w.toString()).code());
        Path other = dir.resolve("other.cnn");
        Files.writeString(other, TINY.formatted("0.05").replace("stride: 2x2", "padding: same"));
        Cli e = Cli.run("eval", other.toString(), "--weights", w.toString(), "--data", Cli.data());
        assertEquals(1, e.code(), e::toString);
        assertTrue(e.err().contains("different graph"), e::toString);
        assertTrue(e.err().contains("f.weight is [10, 196] in the file but [10, 784] in the model"), e::toString);

        Cli r = Cli.run("train", other.toString(), "--data", Cli.data(), "--resume", w.toString(), "--epochs", "2");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("f.weight is [10, 196] in the file but [10, 784] in the model"), r::toString);
    }

    @Test
    void userMistakesExitWith1AndOneMessage() throws IOException {
        Path tiny = model("tiny.cnn", "0.05");
        Cli noFile = Cli.run("eval", tiny.toString(), "--weights", dir.resolve("none.safetensors").toString(), "--data", Cli.data());
        assertEquals(1, noFile.code(), noFile::toString);
        assertTrue(noFile.err().contains("no such file"), noFile::toString);
        Cli noData = Cli.run("train", tiny.toString(), "--data", dir.toString());
        assertEquals(1, noData.code(), noData::toString);
        assertTrue(noData.err().contains("train-images-idx3-ubyte"), noData::toString);
        Cli device = Cli.run("train", tiny.toString(), "--device", "cuda");
        assertEquals(1, device.code(), device::toString);
        assertTrue(device.err().contains("unknown --device"), device::toString);
        Cli save = train(tiny, "--save", dir.resolve("missing/w.safetensors").toString());
        assertEquals(1, save.code(), save::toString);
        assertTrue(save.err().contains("not a writable directory"), save::toString);
        Cli threads = Cli.run("train", tiny.toString(), "--threads", "0");
        assertEquals(1, threads.code(), threads::toString);
    }
}
