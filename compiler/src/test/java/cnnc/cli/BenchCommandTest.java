package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(120)
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsTheKeysLastWithPositiveValues() throws IOException {
        Cli b = benchTiny("--no-profile");
        List<String> lines = b.out().lines().toList();
        List<String> last = lines.subList(lines.size() - KEYS.size(), lines.size());
        assertKeys(KEYS, last, b);
        assertCompileSplit(b.out());
        // latency and big batch each in a JVM of its own: two children, neither this JVM
        var pids = java.util.regex.Pattern.compile("ran in JVMs of their own, pids (\\d+), (\\d+);").matcher(b.out());
        assertTrue(pids.find(), b::toString);
        long self = ProcessHandle.current().pid();
        assertTrue(!pids.group(1).equals(pids.group(2)) && Long.parseLong(pids.group(1)) != self
                && Long.parseLong(pids.group(2)) != self, b::toString);
        assertTrue(b.out().lines().noneMatch(l -> l.startsWith("peak:") || l.startsWith("peak_gflops") || l.startsWith("profile")),
                "--no-profile: no peak, no profile");
    }

    /** --one-jvm: every phase in this JVM, the same keys in the same order, no child JVM. */
    @Test
    void oneJvmRunsEveryPhaseHere() throws IOException {
        Cli b = benchTiny("--no-profile", "--one-jvm");
        List<String> lines = b.out().lines().toList();
        assertKeys(KEYS, lines.subList(lines.size() - KEYS.size(), lines.size()), b);
        assertTrue(!b.out().contains("JVMs of their own") && b.out().contains("inference at batch 1: median latency"), b::toString);
    }

    /** {@code cnnc bench} on the tiny model for a few milliseconds a phase, with {@code flags}; it must succeed. */
    private Cli benchTiny(String... flags) throws IOException {
        Path model = dir.resolve("tiny.cnn");
        Files.writeString(model, TrainCommandTest.TINY.formatted("0.05"));
        List<String> args = new java.util.ArrayList<>(List.of("bench", model.toString(), "--threads", "2", "--time", "0.05",
                "--max-warmup", "2"));
        args.addAll(List.of(flags));
        Cli b = Cli.run(args.toArray(String[]::new));
        assertEquals(0, b.code(), b::toString);
        return b;
    }

    static final List<String> KEYS = List.of("train_images_per_s", "infer_batch1_latency_us", "infer_batch256_images_per_s",
            "compile_ms", "compile_cached", "peak_heap_mb", "train_images_per_cpu_s");

    /** --class-cache: the first run compiles and keeps its three classes, the second loads each of them and compiles none. */
    @Test
    void aSecondRunLoadsItsClassesFromTheClassCache() throws IOException {
        Path cache = dir.resolve("classes");
        Cli first = benchTiny("--no-profile", "--one-jvm", "--class-cache", cache.toString());
        assertTrue(first.out().contains("  class kept in the class cache " + cache + " (the next run loads it)\n")
                && first.out().contains("\ncompile_cached 0\n"), first::toString);
        assertCompileSplit(first.out());
        Map<Path, byte[]> kept = files(cache);
        assertEquals(3, kept.size(), "the training class, batch 1's and batch 256's: " + kept.keySet());

        Cli second = benchTiny("--no-profile", "--one-jvm", "--class-cache", cache.toString());
        assertTrue(second.out().matches("(?s).*\\n  parse and passes \\d+ ms, class loaded from the class cache \\d+ ms \\("
                + java.util.regex.Pattern.quote(cache.toString()) + "; no Java source, no Janino\\), buffers \\d+ ms\\n.*")
                && second.out().contains("\ncompile_cached 1\n") && !second.out().contains("Janino "), second::toString);
        Map<Path, byte[]> after = files(cache);
        assertEquals(kept.keySet(), after.keySet(), "nothing compiled again");
        kept.forEach((p, bytes) -> org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, after.get(p), p.toString()));
    }

    /** A cache folder that cannot be made is reported and costs nothing else; off writes nothing. */
    @Test
    void anUnwritableClassCacheIsReportedAndOffWritesNothing() throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "mine");
        Cli b = benchTiny("--no-profile", "--one-jvm", "--class-cache", file.resolve("classes").toString());
        assertTrue(b.out().contains("  the class cache " + file.resolve("classes") + " could not keep the class: ")
                && b.out().contains("\ncompile_cached 0\n"), b::toString);
        assertEquals("mine", Files.readString(file));

        Cli o = benchTiny("--no-profile", "--one-jvm", "--class-cache", "off");
        assertTrue(!o.out().contains("class cache") && o.out().contains("\ncompile_cached 0\n"), o::toString);
        assertFalse(Files.exists(Path.of("off")), "off is no folder name");
        try (var files = Files.list(dir)) {
            assertEquals(Set.of("tiny.cnn", "a-file"), files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    private static Map<Path, byte[]> files(Path dir) throws IOException {
        Map<Path, byte[]> m = new java.util.TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                m.put(p, Files.readAllBytes(p));
            }
        }
        return m;
    }

    /** The profile: the peak of an FMA loop, every convolution kind's GFLOP/s, after the five keys; the slowest steps named. */
    @Test
    void profilesTheConvolutionsAgainstTheMeasuredPeak() throws IOException {
        Cli b = benchTiny("--infer-batch", "16");
        List<String> keys = new java.util.ArrayList<>(KEYS);
        keys.set(2, "infer_batch16_images_per_s");
        // tiny's only convolution is the first step: no conv_bf (the input has no sensitivity)
        keys.addAll(List.of("peak_gflops", "conv_forward_gflops", "conv_gradient_gflops", "conv_gflops", "conv_pct_of_peak",
                "train_step_gflops", "train_step_pct_of_peak"));
        List<String> lines = b.out().lines().toList();
        assertKeys(keys, lines.subList(lines.size() - keys.size(), lines.size()), b);
        assertTrue(b.out().contains("FMA loop"), b::toString);
        assertTrue(b.out().lines().anyMatch(l -> l.contains("conv_grad 'c' (tiny.cnn:") || l.contains("conv_grad 'c' (")), b::toString);
    }

    /** The compile's four parts are printed under it, each at most the whole, together not more. */
    private static void assertCompileSplit(String out) {
        var total = java.util.regex.Pattern.compile("compile \\(parse to loaded class.*\\): (\\d+) ms").matcher(out);
        var parts = java.util.regex.Pattern.compile(
                "\\n  parse and passes (\\d+) ms, Java source (\\d+) ms \\((\\d+) KB\\), Janino (\\d+) ms, buffers (\\d+) ms\\n").matcher(out);
        assertTrue(total.find() && parts.find(), out);
        long sum = Long.parseLong(parts.group(1)) + Long.parseLong(parts.group(2)) + Long.parseLong(parts.group(4))
                + Long.parseLong(parts.group(5));
        // each part is rounded to a millisecond on its own
        assertTrue(sum <= Long.parseLong(total.group(1)) + 2, out);
        assertTrue(Long.parseLong(parts.group(3)) > 0, "the generated source has a size: " + out);
    }

    private static void assertKeys(List<String> keys, List<String> last, Cli b) {
        for (int i = 0; i < keys.size(); i++) {
            String[] kv = last.get(i).split(" ");
            assertEquals(2, kv.length, last.get(i));
            assertEquals(keys.get(i), kv[0], b::toString);
            if (kv[0].equals("compile_cached")) {
                assertTrue(kv[1].equals("0") || kv[1].equals("1"), last.get(i));
            } else {
                assertTrue(Double.parseDouble(kv[1]) > 0, last.get(i));
            }
        }
    }
}
