package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No command writes over one of its own inputs, whatever the flag, and training without --save
 * never replaces an earlier run's file: each run gets its own directory.
 */
@org.junit.jupiter.api.Timeout(600)
class NoOverwriteTest {

    @TempDir
    Path dir;

    Path model;
    byte[] modelBytes;

    @BeforeEach
    void model() throws IOException {
        model = dir.resolve("tiny.cnn");
        Files.writeString(model, TrainCommandTest.TINY.formatted("0.05"));
        modelBytes = Files.readAllBytes(model);
    }

    /** Exit 1, one message naming the flag and saying it refuses, no stack trace, the model unchanged. */
    private void refused(Cli c, String flag) throws IOException {
        assertEquals(1, c.code(), c::toString);
        assertTrue(c.err().contains("cnnc: " + flag + " "), c::toString);
        assertTrue(c.err().contains("refusing to write"), c::toString);
        assertFalse(c.err().contains("Exception"), c::toString);
        assertArrayEquals(modelBytes, Files.readAllBytes(model));
    }

    private Path weights() {
        Path w = dir.resolve("w.safetensors");
        Cli t = Cli.run("train", model.toString(), "--data", Cli.data(), "--save", w.toString(), "--threads", "2");
        assertEquals(0, t.code(), t::toString);
        return w;
    }

    @Test
    void dumpRefusesToWriteOverTheModel() throws IOException {
        refused(Cli.run("dump", model.toString(), "-o", model.toString()), "-o");
        refused(Cli.run("dump", model.toString(), "--format", "dot", "-o", dir.resolve("./tiny.cnn").toString()), "-o");
        Path link = dir.resolve("link.cnn");
        Files.createSymbolicLink(link, model);
        refused(Cli.run("dump", link.toString(), "-o", model.toString()), "-o");
        Cli ok = Cli.run("dump", model.toString(), "-o", dir.resolve("tiny.txt").toString());
        assertEquals(0, ok.code(), ok::toString);
        // written through a temporary file, with the permissions any new file gets here (not a temporary's 0600)
        Path fresh = Files.createFile(dir.resolve("fresh.txt"));
        assertEquals(Files.getPosixFilePermissions(fresh), Files.getPosixFilePermissions(dir.resolve("tiny.txt")));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "no temporary left");
        }
    }

    @Test
    void generateRefusesADirectoryThatIsTheModelOrWouldReplaceIt() throws IOException {
        refused(Cli.run("generate", model.toString(), "-o", model.toString()), "-o");
        // an OpenCL program is written as NAME.cl and NAME.plan: a model saved as tiny.cl is refused
        Path cl = dir.resolve("tiny.cl");
        Files.write(cl, modelBytes);
        Cli c = Cli.run("generate", cl.toString(), "--target", "opencl", "-o", dir.toString());
        assertEquals(1, c.code(), c::toString);
        assertTrue(c.err().contains("refusing to write over an input"), c::toString);
        assertArrayEquals(modelBytes, Files.readAllBytes(cl));
        // the Java class is written as Tiny_T50.java (name and batch): a model saved under that name is refused
        Path java = dir.resolve("Tiny_T50.java");
        Files.write(java, modelBytes);
        Cli j = Cli.run("generate", java.toString(), "-o", dir.toString());
        assertEquals(1, j.code(), j::toString);
        assertArrayEquals(modelBytes, Files.readAllBytes(java));
    }

    @Test
    void trainRefusesSaveReportAndCacheOverItsInputs() throws IOException {
        refused(Cli.run("train", model.toString(), "--data", Cli.data(), "--save", model.toString()), "--save");
        Path w = weights();
        byte[] before = Files.readAllBytes(w);
        Cli resumeInPlace = Cli.run("train", model.toString(), "--data", Cli.data(), "--resume", w.toString(), "--save", w.toString(),
                "--epochs", "2");
        refused(resumeInPlace, "--save");
        assertTrue(resumeInPlace.err().contains("the --resume checkpoint"), resumeInPlace::toString);
        assertArrayEquals(before, Files.readAllBytes(w));
        refused(Cli.run("train", model.toString(), "--data", Cli.data(), "--save", dir.resolve("x.safetensors").toString(), "--report",
                model.toString()), "--report");
        Files.writeString(dir.resolve("index.html"), "mine");
        // a report into the model's own folder is fine as long as no file it writes is an input...
        Path images = dir.resolve("images");
        ImageSets.writeShapes(images, "train", 3, 8, 1);
        Cli cache = Cli.run("train", model.toString(), "--data", images.toString(), "--cache", images.resolve("train/.cache").toString());
        refused(cache, "--cache");
        assertTrue(cache.err().contains("lies inside the --data folder"), cache::toString);
        Cli report = Cli.run("train", model.toString(), "--data", images.toString(), "--report", images.resolve("train/circle").toString());
        refused(report, "--report");
    }

    @Test
    void gradRefusesOutOverWeightsInputOrModel() throws IOException {
        Path w = weights();
        byte[] before = Files.readAllBytes(w);
        Path x = dir.resolve("x.safetensors");
        Files.copy(w, x); // any file will do: the check comes before reading
        refused(Cli.run("grad", model.toString(), "--weights", w.toString(), "--input", x.toString(), "--out", w.toString()), "--out");
        refused(Cli.run("grad", model.toString(), "--weights", w.toString(), "--input", x.toString(), "--out", x.toString()), "--out");
        refused(Cli.run("grad", model.toString(), "--weights", w.toString(), "--input", x.toString(), "--out", model.toString()), "--out");
        assertArrayEquals(before, Files.readAllBytes(w));
    }

    @Test
    void eachRunWithoutSaveGetsItsOwnDirectoryAndResumeTakesOne() throws IOException {
        Path runs = dir.resolve("runs");
        Cli first = Cli.run("train", model.toString(), "--data", Cli.data(), "--runs", runs.toString(), "--threads", "2");
        assertEquals(0, first.code(), first::toString);
        Path one = runs.resolve("tiny/1");
        assertTrue(first.err().contains("run directory " + one), first::toString);
        assertTrue(first.out().contains("run directory " + one), first::toString);
        for (String f : List.of("last.safetensors", "best.safetensors", "train.log", "model.cnn", "command.txt", "report/index.html",
                "report/curves.csv", "report/loss.svg", "report/accuracy.svg", "report/confusion.svg", "report/model.dot",
                "report/model.svg")) {
            assertTrue(Files.isRegularFile(one.resolve(f)), f);
        }
        assertArrayEquals(modelBytes, Files.readAllBytes(one.resolve("model.cnn")));
        assertTrue(Files.readString(one.resolve("command.txt")).startsWith("cnnc train " + model + " --data "));
        assertTrue(Files.readString(one.resolve("train.log")).contains("epoch 1/1: train loss"));
        byte[] last = Files.readAllBytes(one.resolve("last.safetensors"));

        // a second run never touches the first one's files
        Cli second = Cli.run("train", model.toString(), "--data", Cli.data(), "--runs", runs.toString(), "--threads", "2");
        assertEquals(0, second.code(), second::toString);
        assertTrue(second.out().contains("run directory " + runs.resolve("tiny/2")), second::toString);
        assertArrayEquals(last, Files.readAllBytes(one.resolve("last.safetensors")));

        // --resume takes a run directory and continues into a new one, the weights those of an uninterrupted run
        Cli resumed = Cli.run("train", model.toString(), "--data", Cli.data(), "--runs", runs.toString(), "--resume", one.toString(),
                "--epochs", "2");
        assertEquals(0, resumed.code(), resumed::toString);
        assertTrue(resumed.err().contains("resuming tiny from " + one.resolve("last.safetensors")), resumed::toString);
        assertArrayEquals(last, Files.readAllBytes(one.resolve("last.safetensors")));
        Path straight = dir.resolve("straight.safetensors");
        assertEquals(0, Cli.run("train", model.toString(), "--data", Cli.data(), "--epochs", "2", "--save", straight.toString()).code());
        ImageDataCommandsTest.assertSameTensors(straight, runs.resolve("tiny/3/last.safetensors"));

        // best.safetensors holds the weights of the best test epoch (here the last of one), without optimizer state
        TensorFile best = Safetensors.read(one.resolve("best.safetensors"));
        TensorFile lastFile = Safetensors.read(one.resolve("last.safetensors"));
        assertTrue(best.names().stream().noneMatch(n -> n.startsWith("optim.")));
        for (String n : best.names()) {
            assertArrayEquals(lastFile.get(n).floats(), best.get(n).floats(), n);
        }
        try (Stream<Path> s = Files.list(runs.resolve("tiny"))) {
            assertEquals(List.of("1", "2", "3"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theReportCurvesHoldWhatTrainingPrinted() throws IOException {
        Path report = dir.resolve("report");
        Cli t = Cli.run("train", model.toString(), "--data", Cli.data(), "--save", dir.resolve("w.safetensors").toString(), "--report",
                report.toString(), "--epochs", "2");
        assertEquals(0, t.code(), t::toString);
        List<String> csv = Files.readAllLines(report.resolve("curves.csv"));
        assertEquals("epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds", csv.get(0));
        assertEquals(3, csv.size());
        String[] last = csv.get(2).split(",");
        assertEquals("2", last[0]);
        String acc = ImageDataCommandsTest.accuracy(t.out(), "final test accuracy");
        assertEquals(Double.parseDouble(acc.substring(0, acc.indexOf('%'))), 100 * Double.parseDouble(last[4]), 0.005);
        assertTrue(t.out().contains(String.format("final train loss %.4f", Double.parseDouble(last[1]))), t::toString);
        String html = Files.readString(report.resolve("index.html"));
        for (String ref : List.of("loss.svg", "accuracy.svg", "confusion.svg", "model.svg", "curves.csv")) {
            assertTrue(html.contains(ref), ref);
        }
        for (String svg : List.of("loss.svg", "accuracy.svg", "confusion.svg", "model.svg")) {
            String s = Files.readString(report.resolve(svg));
            assertTrue(s.contains("<svg") && s.strip().endsWith("</svg>"), svg);
        }
        // the confusion matrix's cells sum to the test set
        String text = Files.readString(report.resolve("confusion.txt"));
        assertTrue(text.contains("per-class accuracy:"), text);
    }

    @Test
    void importAndExportRefuseToWriteOverTheOnnxModel() throws IOException {
        Path onnx = dir.resolve("net.onnx");
        Files.copy(Cli.root().resolve("tools/onnx/fixtures/lenet_torch.onnx"), onnx);
        byte[] onnxBytes = Files.readAllBytes(onnx);
        Path link = dir.resolve("link.cnn");
        Files.createSymbolicLink(link, onnx);
        refused(Cli.run("import", onnx.toString(), "-o", link.toString(), "--force"), "-o");
        refused(Cli.run("import", onnx.toString(), "-o", dir.resolve("n.cnn").toString(), "--weights", dir.resolve("./net.onnx").toString(),
                "--force"), "--weights");
        refused(Cli.run("export", onnx.toString(), "-o", link.toString(), "--force"), "-o");
        assertArrayEquals(onnxBytes, Files.readAllBytes(onnx));
    }
}
