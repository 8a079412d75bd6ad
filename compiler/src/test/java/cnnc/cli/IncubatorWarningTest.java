package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/cnnc runs the commands that run a network on a JVM with the Vector API module and drops the
 * JVM's "Using incubator modules" line (bin/lib/incubator.sh): here a program that uses the Vector
 * API, prints a line, a progress line redrawn with '\r' and exits 3, through the same function.
 */
@org.junit.jupiter.api.Timeout(120)
class IncubatorWarningTest {

    private static final String WARNING = "WARNING: Using incubator modules: jdk.incubator.vector\n";
    private static final String STDERR = "first line\n\rprogress 1/2\rprogress 2/2\n";

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private Run run(boolean filtered) throws IOException, InterruptedException {
        Path program = dir.resolve("Lanes.java");
        Files.writeString(program, """
                public class Lanes {
                    public static void main(String[] args) {
                        System.err.print("first line\\n\\rprogress 1/2");
                        System.err.flush();
                        System.err.print("\\rprogress 2/2\\n");
                        System.out.println("lanes " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
                        System.exit(3);
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java") + " --add-modules=jdk.incubator.vector " + program;
        String lib = Cli.root().resolve("bin/lib/incubator.sh").toString();
        String script = filtered ? "set -euo pipefail; . '" + lib + "'; rc=0; without_incubator_warning " + java + " || rc=$?; exit $rc" : java;
        Process p = new ProcessBuilder("bash", "-c", script).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void theWarningIsDroppedAndEverythingElseKept() throws Exception {
        Run plain = run(false);
        assertEquals(WARNING + STDERR, plain.err(), "what the JVM prints unfiltered");
        Run r = run(true);
        assertEquals(STDERR, r.err());
        assertEquals(3, r.code());
        assertTrue(r.out().matches("lanes \\d+\\n"), r.out());  // the Vector API is there
    }

    @Test
    void binCnncRunsTheNetworkCommandsThroughTheFilter() throws IOException {
        String script = Files.readString(Cli.root().resolve("bin/cnnc"));
        assertTrue(script.contains("train|eval|grad|gradcheck|bench) vector=\"--add-modules=jdk.incubator.vector\"; quiet=(without_incubator_warning)"));
        assertTrue(script.contains("without_incubator_warning \"${java_cmd[@]}\""));
        assertTrue(script.contains("\"${quiet[@]}\" \"${java_cmd[@]}\" -XX:AOTMode=record"));
    }
}
