package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark command line end to end: train, resume, score, and the user's errors. */
@org.junit.jupiter.api.Timeout(900)
class SparkMainTest {

    static final String ROOT = System.getProperty("cnnc.root", ".");
    static final String MODEL = ROOT + "/samples/lenet5.cnn";
    static final String DATA = ROOT + "/samples/data";

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void trainsResumesAndScoresLikeEval(@TempDir Path dir) throws IOException {
        Path w = dir.resolve("w.safetensors");
        String classes = dir.resolve("classes").toString();
        Result t = run("train", MODEL, "--spark", "local[2]", "--data", DATA, "--batch", "256", "--epochs", "1", "--save",
                w.toString(), "--conf", "spark.executor.memory=512m", "--stats", "--class-cache", classes);
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("trained lenet5 on Spark"), t.out());
        assertTrue(t.err().contains(", kept in the class cache " + classes), t.err());
        assertTrue(Files.size(w) > 0);
        // the resumed run's driver loads the class the first one kept (the same model and batch share)
        Result r = run("train", MODEL, "--spark", "local[2]", "--data", DATA, "--batch", "256", "--epochs", "2", "--resume",
                w.toString(), "--class-cache", classes);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("class loaded from the class cache " + classes), r.err());
        assertTrue(r.err().contains("resuming lenet5"), r.err());
        assertTrue(r.out().contains("to 2 of 2"), r.out());

        Path csv = dir.resolve("scores.csv");
        Result s = run("score", MODEL, "--weights", w.toString(), "--spark", "local[2]", "--data", DATA, "-o", csv.toString());
        assertEquals(0, s.code(), s.err());
        String eval = evalAccuracy(w);
        assertTrue(s.out().contains("accuracy " + eval), "score: " + s.out() + " eval: " + eval);
        List<String> lines;
        try (Stream<Path> parts = Files.list(csv)) {
            Path part = parts.filter(p -> p.getFileName().toString().endsWith(".csv")).findFirst().orElseThrow();
            lines = Files.readAllLines(part);
        }
        assertEquals("id,label,prediction,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", lines.get(0));
        assertEquals(501, lines.size(), "a header and 500 images");
        Path parquet = dir.resolve("scores.parquet");
        Result q = run("score", MODEL, "--weights", w.toString(), "--spark", "local[1]", "--data", DATA, "-o", parquet.toString());
        assertEquals(0, q.code(), q.err());
        assertTrue(q.out().contains("accuracy " + eval), q.out());
        Result again = run("score", MODEL, "--weights", w.toString(), "--spark", "local[1]", "--data", DATA, "-o", csv.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("exists"), again.err());
    }

    /** "NN.NN% (c/n)" as cnnc eval prints it. */
    private static String evalAccuracy(Path w) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"eval", MODEL, "--weights", w.toString(), "--data", DATA}, new PrintWriter(out),
                new PrintWriter(err));
        assertEquals(0, code, err.toString());
        String s = out.toString();
        int at = s.indexOf("test accuracy ") + "test accuracy ".length();
        return s.substring(at, s.indexOf(')', at) + 1);
    }

    @Test
    void badMasterUrlIsOneMessage() {
        Result r = run("train", MODEL, "--spark", "spark//127.0.0.1:7077", "--data", DATA, "--epochs", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("cnnc: bad Spark master URL 'spark//127.0.0.1:7077'"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void unreachableClusterIsOneMessage() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Result r = run("train", MODEL, "--spark", "spark://127.0.0.1:" + port, "--data", DATA, "--epochs", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("cnnc: cannot reach the Spark master spark://127.0.0.1:" + port), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void missingDataIsOneMessage(@TempDir Path dir) {
        Result r = run("train", MODEL, "--spark", "local[1]", "--data", dir.resolve("nothing").toString(), "--epochs", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("cnnc: cannot find the data: "), r.err());
        Result u = run("score", MODEL, "--spark", "local[1]", "--weights", "w.safetensors", "--data",
                "file:" + dir.resolve("nothing"), "-o", dir.resolve("o.csv").toString());
        assertEquals(1, u.code());
        assertTrue(u.err().contains("no such directory"), u.err());
    }
}
