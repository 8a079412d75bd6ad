package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cnnc check} and {@code cnnc dump} through the command line: streams, exit codes, {@code -o}. */
@org.junit.jupiter.api.Timeout(30)
class InspectCommandsTest {

    private static final Path ROOT = Path.of(System.getProperty("cnnc.root", ".")).toAbsolutePath().normalize();
    private static final String LENET = ROOT.resolve("samples/lenet5.cnn").toString();

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result cnnc(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void checkPrintsTheTable() {
        Result r = cnnc("check", LENET);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("total parameters: 61,706"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void checkShowsTheKernelsScratch() {
        Result r = cnnc("check", LENET);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("scratch of the kernels on the java device: ")
                && l.contains(" kept between runs; ") && l.contains(" shared array")), r.out());
        // what JavaBackend.inspect computes for the training build that train and bench run (TransientTensorsTest checks its bits)
        String tr = r.out().lines().filter(l -> l.startsWith("transient tensors on the java device when train and bench run it "))
                .findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(tr.contains(", which share the scratch's arrays: ") && tr.contains(" for both together"), tr);
        Result inf = cnnc("check", LENET, "--inference");
        assertEquals(0, inf.code(), inf.err());
        assertTrue(inf.out().lines().anyMatch(l -> l.startsWith("transient tensors on the java device when eval, predict and bench run it "
                + "(every activation between input and output): ")), inf.out());
    }

    @Test
    void checkHonoursBatch() {
        Result r = cnnc("check", LENET, "--batch", "2");
        assertEquals(0, r.code(), r.err());
        // the input at batch 2: 2·1·28·28 floats
        assertTrue(r.out().lines().anyMatch(l -> l.trim().replaceAll(" +", " ").startsWith("inputs 1 6,272 ")), r.out());
    }

    @Test
    void dumpFormats() {
        Result text = cnnc("dump", LENET, "--backward");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("backward:\n"), text.out());
        Result dot = cnnc("dump", LENET, "--format", "dot");
        assertEquals(0, dot.code(), dot.err());
        assertTrue(dot.out().startsWith("digraph \"lenet5\" {"), dot.out());
        Result json = cnnc("dump", LENET, "--backward", "--format", "json");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().startsWith("{\n  \"schema\": \"cnnc.graph\",\n  \"version\": 1,"), json.out());
    }

    @Test
    void badFormatIsAUserError() {
        Result r = cnnc("dump", LENET, "--format", "svg");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("svg"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void outputFileGetsExactlyWhatStdoutWould() throws IOException {
        Path file = dir.resolve("new/sub/lenet5.json");
        Result r = cnnc("dump", LENET, "--backward", "--format", "json", "-o", file.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals(cnnc("dump", LENET, "--backward", "--format", "json").out(), Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of(file), files(file.getParent()), "no temporary file left beside it");
    }

    /**
     * {@code -o} writes a temporary file and renames it over the old one: a reader that opened the
     * old file still reads all of the old content (a file truncated and rewritten in place would
     * not), and the name now points at a new file.
     */
    @Test
    void outputReplacesTheFileAtomically() throws IOException {
        Path file = dir.resolve("lenet5.txt");
        String old = "old dump\n".repeat(1000);
        Files.writeString(file, old);
        Object oldKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
            Result r = cnnc("dump", LENET, "-o", file.toString());
            assertEquals(0, r.code(), r.err());
            ByteBuffer buf = ByteBuffer.allocate(old.length() + 1);
            while (reader.read(buf) > 0) {
                // read to the end of what the open file holds
            }
            assertEquals(old, new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        }
        Object newKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        if (oldKey != null) {
            assertNotEquals(oldKey, newKey, "-o must rename a new file over the old one, not rewrite it");
        }
        assertTrue(Files.readString(file).startsWith("network lenet5, batch 64, from "));
        assertEquals(List.of(file), files(dir));
    }

    @Test
    void aFailedCompileLeavesTheOutputFileAlone() throws IOException {
        Path bad = dir.resolve("bad.cnn");
        Files.writeString(bad, "network bad {\n    input x : 1x4x4;\n    y = conv(q, 2, kernel: 3x3);\n}\n");
        Path file = dir.resolve("out.txt");
        Files.writeString(file, "keep me\n");
        Result r = cnnc("dump", bad.toString(), "-o", file.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("bad.cnn:3:"), r.err());
        assertEquals("keep me\n", Files.readString(file));
        assertEquals(List.of(bad, file), files(dir));
    }

    @Test
    void outputOntoADirectoryIsAUserError() throws IOException {
        Path target = Files.createDirectory(dir.resolve("taken"));
        Result r = cnnc("dump", LENET, "-o", target.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("cnnc: cannot write '" + target + "'"), r.err());
        assertTrue(Files.isDirectory(target));
        assertEquals(List.of(target), files(dir), "no temporary file left");
    }

    /** The usage message of a bad flag says "Try 'cnnc dump --help'": that has to work. */
    @Test
    void subcommandsHaveHelp() {
        for (String command : List.of("check", "dump")) {
            Result r = cnnc(command, "--help");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("Usage: cnnc " + command + " "), r.out());
        }
        assertTrue(cnnc("dump", "--help").out().contains("docs/dump-json.md"));
    }

    @Test
    void missingModelIsAUserError() {
        Result r = cnnc("dump", dir.resolve("nope.cnn").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
