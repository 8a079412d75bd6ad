package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.data.ImageFolder;
import cnnc.runtime.io.Json;
import cnnc.spark.ImageData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cnnc train/score --spark --data DIR} on an image folder: scoring gives {@code cnnc predict}'s
 * probabilities for every file and {@code cnnc eval}'s accuracy on the test split and on a seeded
 * validation split, training runs with the train
 * block's normalization, and a bad folder or a damaged image is one message and exit 1.
 */
@org.junit.jupiter.api.Timeout(600)
class SparkImageDataCliTest {

    record Result(int code, String out, String err) {
    }

    static Result spark(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static Result cnnc(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /** "NN.NN% (c/n)" after {@code label} in a command's output. */
    static String accuracy(String out, String label) {
        int at = out.indexOf(label);
        assertTrue(at >= 0, out);
        at += label.length();
        return out.substring(at, out.indexOf(')', at) + 1);
    }

    @Test
    void scoresAnImageFolderAsEvalAndTrainsOnIt(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("shapes");
        ImageData.writeShapes(folder, "train", 24, 1);
        ImageData.writeShapes(folder, "test", 6, 2);
        String model = ImageData.model(dir, 3, 3, 16).toString();
        String cache = dir.resolve("cache").toString();
        Path w = dir.resolve("w.safetensors");
        Result t = cnnc("train", model, "--data", folder.toString(), "--epochs", "2", "--save", w.toString(), "--cache", cache);
        assertEquals(0, t.code(), t.err());

        String eval = accuracy(cnnc("eval", model, "--weights", w.toString(), "--data", folder.toString(), "--cache", cache).out(),
                "test accuracy ");
        Path csv = dir.resolve("scores.csv");
        Result s = spark("score", model, "--weights", w.toString(), "--spark", "local[2]", "--data", folder.toUri().toString(), "-o",
                csv.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals(eval, accuracy(s.out(), "accuracy "), "score: " + s.out());
        List<String> lines;
        try (Stream<Path> parts = Files.list(csv)) {
            lines = Files.readAllLines(parts.filter(p -> p.getFileName().toString().endsWith(".csv")).findFirst().orElseThrow());
        }
        assertEquals("id,label,prediction,p0,p1,p2", lines.get(0));
        assertEquals(1 + 18, lines.size(), "a header and the 18 test images");
        // every image's probabilities are predict's for its file (ids follow the folder's order)
        List<ImageFolder.Entry> files = ImageFolder.scan(folder, false).test().entries();
        List<String> predict = new java.util.ArrayList<>(List.of("predict", model, "--weights", w.toString(), "--json", "--top", "3"));
        files.forEach(e -> predict.add(e.file().toString()));
        Result p = cnnc(predict.toArray(new String[0]));
        assertEquals(0, p.code(), p.err());
        java.util.Map<String, float[]> byFile = new java.util.HashMap<>();
        for (Object o : (List<?>) Json.parse(p.out())) {
            java.util.Map<?, ?> entry = (java.util.Map<?, ?>) o;
            float[] probs = new float[3];
            for (Object q : (List<?>) entry.get("predictions")) {
                java.util.Map<?, ?> pred = (java.util.Map<?, ?>) q;
                probs[((Number) pred.get("index")).intValue()] = ((Number) pred.get("probability")).floatValue();
            }
            byFile.put((String) entry.get("file"), probs);
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int id = Integer.parseInt(f[0]);
            float[] want = byFile.get(files.get(id).file().toString());
            assertEquals(files.get(id).label(), Integer.parseInt(f[1]), "label of image " + id);
            for (int c = 0; c < 3; c++) {
                assertEquals(want[c], Float.parseFloat(f[3 + c]), "probability " + c + " of " + files.get(id).file());
            }
        }

        // no test/: both hold out the same seeded tenth of train/ (the weights' seed)
        Path noTest = dir.resolve("no-test");
        ImageData.writeShapes(noTest, "train", 24, 1);
        String val = accuracy(cnnc("eval", model, "--weights", w.toString(), "--data", noTest.toString(), "--cache", cache).out(),
                "test accuracy ");
        Result v = spark("score", model, "--weights", w.toString(), "--spark", "local[1]", "--data", noTest.toString(), "-o",
                dir.resolve("val.parquet").toString());
        assertEquals(0, v.code(), v.err());
        assertEquals(val, accuracy(v.out(), "accuracy "), v.out());
        assertTrue(val.endsWith("/7)"), "round(0.1 x 72) held out: " + val);

        Path w2 = dir.resolve("spark.safetensors");
        Result st = spark("train", model, "--spark", "local[2]", "--data", folder.toString(), "--save", w2.toString());
        assertEquals(0, st.code(), st.err());
        assertTrue(st.err().contains("(image folder), 18 test images") && st.err().contains("normalization mean ["), st.err());
        assertTrue(st.err().contains("augmentation: flip horizontal, random crop with padding 2"), st.err());
        Result e2 = cnnc("eval", model, "--weights", w2.toString(), "--data", folder.toString(), "--cache", cache);
        assertEquals(0, e2.code(), e2.err());
        assertTrue(st.out().contains("final test accuracy " + accuracy(e2.out(), "test accuracy ")), st.out() + e2.out());
    }

    @Test
    void aBadFolderOrImageIsOneMessage(@TempDir Path dir) throws IOException {
        String model = ImageData.model(dir, 3, 3, 16).toString();
        Path folder = dir.resolve("shapes");
        ImageData.writeShapes(folder, "train", 8, 1);
        Files.writeString(folder.resolve("train/stray.png"), "not in a class folder");
        Result r = spark("train", model, "--spark", "local[1]", "--data", folder.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("cnnc: ") && r.err().contains("stray.png: a file directly in train/"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        Files.delete(folder.resolve("train/stray.png"));
        Files.writeString(folder.resolve("train/cross/0003.png"), "damaged");
        Result d = spark("train", model, "--spark", "local[2]", "--data", folder.toString(), "--val-split", "0.25", "--epochs", "1",
                "--save", dir.resolve("w.safetensors").toString());
        assertEquals(1, d.code(), d.out() + d.err());
        assertTrue(d.err().startsWith("cnnc: ") && d.err().contains("0003.png"), d.err());
        assertFalse(d.err().contains("\tat "), d.err());
        assertFalse(Files.exists(dir.resolve("w.safetensors")), "no checkpoint from a failed run");

        Result m = spark("score", model, "--spark", "local[1]", "--weights", "w.safetensors", "--data",
                folder.resolve("nothing").toUri().toString(), "-o", dir.resolve("o.csv").toString());
        assertEquals(1, m.code());
        assertTrue(m.err().contains("no such directory"), m.err());
    }
}
