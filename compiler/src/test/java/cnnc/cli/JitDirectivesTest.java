package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/cnnc's compiler directives (bin/lib/jit-directives.json): the code that compiles a .cnn file
 * stays with C1, everything else gets C2. Here a hot method in one of the listed packages and the
 * same method in a generated network's package, each in a JVM started with bin/cnnc's flags and
 * {@code -XX:+PrintCompilation}; and HotSpot's boot line about the directives, which bin/cnnc
 * moves to stderr and drops there.
 */
@org.junit.jupiter.api.Timeout(120)
class JitDirectivesTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    /**
     * Runs a program whose class {@code pkg.Hot} calls {@code spin} for 1.5 s, long after C2 would have compiled it,
     * with {@code -XX:+PrintCompilation} when {@code print}, through bin/cnnc's stderr filter when {@code filtered}.
     */
    private Run hot(String pkg, boolean print, boolean filtered) throws IOException, InterruptedException {
        Path program = Files.createDirectories(dir.resolve(pkg.replace('.', '/'))).resolve("Hot.java"); // the launcher wants the package's path
        Files.writeString(program, "package " + pkg + ";\n" + """
                public class Hot {
                    static int spin(int x) {
                        int s = 0;
                        for (int i = 0; i < 64; i++) {
                            s += (x ^ i) * 31 + (s >>> 3);
                        }
                        return s;
                    }

                    public static void main(String[] args) {
                        int s = 0;
                        // long enough for C2 even when its queue is long (a loaded machine first gives tier 2)
                        for (long end = System.nanoTime() + 1_500_000_000L; System.nanoTime() < end; ) {
                            for (int i = 0; i < 100_000; i++) {
                                s += spin(i);
                            }
                        }
                        System.out.println("sum " + s);
                        System.err.println("the program's own line");
                    }
                }
                """);
        Path json = Cli.root().resolve("bin/lib/jit-directives.json");
        String java = Path.of(System.getProperty("java.home"), "bin", "java") + " -XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile="
                + json + " -XX:+DisplayVMOutputToStderr --add-modules=jdk.incubator.vector" + (print ? " -XX:+PrintCompilation " : " ") + program;
        String lib = Cli.root().resolve("bin/lib/incubator.sh").toString();
        String script = filtered ? "set -euo pipefail; . '" + lib + "'; rc=0; without_incubator_warning " + java + " || rc=$?; exit $rc" : java;
        Path errFile = dir.resolve(pkg + (print ? ".print" : "") + (filtered ? ".filtered" : "") + ".err"); // long: a pipe read after stdout would fill up
        Process p = new ProcessBuilder("bash", "-c", script).redirectError(errFile.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, Files.readString(errFile));
    }

    /** The tiers {@code -XX:+PrintCompilation} shows {@code cls::spin} compiled at (a line per compile, OSR included). */
    private static List<Integer> tiers(String log, String cls) {
        Pattern line = Pattern.compile("^\\s*\\d+\\s+\\d+\\s+[%sbn! ]*\\s([0-4])\\s+" + Pattern.quote(cls + "::spin") + " ");
        return log.lines().map(line::matcher).filter(m -> m.find()).map(m -> Integer.parseInt(m.group(1))).toList();
    }

    @Test
    void theCompilersOwnPackagesStayWithC1() throws Exception {
        Run r = hot("cnnc.ir", true, false);
        assertEquals(0, r.code(), r.err());
        List<Integer> tiers = tiers(r.err(), "cnnc.ir.Hot");
        assertTrue(r.err().contains("made not compilable on level 4  cnnc.ir.Hot::spin"), r.err());
        assertTrue(tiers.contains(1), "recompiled at C1's level 1 without profiling: " + tiers);
        assertFalse(tiers.contains(4), "never C2: " + tiers);
    }

    @Test
    void aGeneratedNetworkGetsC2() throws Exception {
        Run r = hot("cnnc.generated", true, false);
        assertEquals(0, r.code(), r.err());
        List<Integer> tiers = tiers(r.err(), "cnnc.generated.Hot");
        assertTrue(tiers.contains(4), "compiled by C2: " + tiers);
        assertFalse(r.err().contains("made not compilable on level 4  cnnc.generated.Hot::spin"), r.err());
    }

    @Test
    void theBootLineGoesToStderrAndIsDroppedThere() throws Exception {
        Run plain = hot("cnnc.ir", false, false);
        assertTrue(plain.out().matches("sum -?\\d+\\n"), "stdout holds the program's line only: " + plain.out());
        assertTrue(plain.err().startsWith("1 compiler directives added\nWARNING: Using incubator modules: jdk.incubator.vector\n"),
                plain.err());
        Run filtered = hot("cnnc.ir", false, true);
        assertTrue(filtered.out().matches("sum -?\\d+\\n"), "stdout passes as it is: " + filtered.out());
        assertFalse(filtered.err().contains("compiler directives added"), filtered.err());
        assertEquals("the program's own line\n", filtered.err(), "the boot lines dropped, the rest kept");
    }

    @Test
    void binCnncStartsTheNetworkCommandsWithTheDirectives() throws IOException {
        String script = Files.readString(Cli.root().resolve("bin/cnnc"));
        assertTrue(script.contains("if [ -n \"$vector\" ] && [ \"${CNNC_JIT_DIRECTIVES:-1}\" != 0 ]; then"));
        assertTrue(script.contains("-XX:CompilerDirectivesFile=\"$root/bin/lib/jit-directives.json\" -XX:+DisplayVMOutputToStderr"));
    }

    @Test
    void binCnncSparkStartsItsDriverWithTheDirectivesAndTheFilter() throws IOException {
        String script = Files.readString(Cli.root().resolve("bin/cnnc-spark"));
        assertTrue(script.contains("jit=(-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=\"$root/bin/lib/jit-directives.json\" "
                + "-XX:+DisplayVMOutputToStderr)"));
        assertTrue(script.contains("without_incubator_warning \"$JAVA_HOME/bin/java\""));
        assertTrue(script.contains("\"${jit[@]}\""));
    }
}
