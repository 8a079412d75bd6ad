package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class cache ({@link ClassCache}): a kept class is the class a compile makes, keys tell apart
 * everything that changes the generated code and nothing that does not, damaged entries are misses,
 * and trimming deletes only the cache's own least recently used entries.
 */
@org.junit.jupiter.api.Timeout(120)
class ClassCacheTest {

    private static final String PKG = "cnnc.generated";

    /** Conv (direct and Winograd), bn, relu, maxpool, full, softmax: every kind of helper a class keeps. */
    static final String NET = """
            network small {
                input  x : 3x12x12;
                target z : 5;
                c1 = conv(x, 8, kernel: 3x3, algo: %s);   // the algorithm: part of the code, not of the graph
                n1 = bn(c1, per: channel);
                r1 = relu(n1);
                p1 = maxpool(r1, window: 2x2);
                c2 = conv(p1, %d, kernel: 3x3);
                f = full(c2, 5);
                y = softmax(f);
                loss cross_entropy(y, z);
                train { batch 3; epochs 1; optimizer sgd(lr: 0.1, momentum: 0.9); seed 1; }
            }
            """;

    @TempDir
    Path dir;

    private static Model model(String algo, int channels, int batch) {
        return Models.model("small.cnn", NET.formatted(algo, channels), batch);
    }

    private static JaninoLoader.Compiled compile(Model m) {
        return JaninoLoader.compile(JavaBackend.generate(m, PKG, true, JavaBackend.Memory.KEPT));
    }

    private ClassCache cache(long limit) {
        return new ClassCache(dir.resolve("classes"), "test build", limit);
    }

    @Test
    void aKeptClassLoadsAsTheSameBytecodeAndComputesTheSameBits() throws IOException {
        Model m = model("winograd", 6, 3);
        JaninoLoader.Compiled fresh = compile(m);
        ClassCache c = cache(ClassCache.DEFAULT_LIMIT_BYTES);
        String key = c.key(m, PKG, true, JavaBackend.Memory.KEPT);
        assertTrue(c.load(key).isEmpty(), "nothing kept yet");
        c.store(key, fresh);

        JaninoLoader.Compiled kept = cache(ClassCache.DEFAULT_LIMIT_BYTES).load(key).orElseThrow();
        assertEquals(fresh.source(), kept.source());
        assertEquals(fresh.bytecodes().keySet(), kept.bytecodes().keySet());
        for (String name : fresh.bytecodes().keySet()) {
            assertArrayEquals(fresh.bytecodes().get(name), kept.bytecodes().get(name), name);
        }
        assertEquals(fresh.type().getName(), kept.type().getName());
        assertNotSame(fresh.type(), kept.type(), "loaded anew, under a class loader of its own");
        assertEquals(Network.class.getClassLoader(), kept.type().getClassLoader().getParent());

        try (Network a = fresh.instantiate(); Network b = kept.instantiate(); Network c2 = kept.instantiate()) {
            for (Network n : List.of(a, b, c2)) {
                n.setThreads(2);
                Models.fill(n, 7);
            }
            a.forward();
            a.backward();
            b.forward();
            b.backward();
            assertTrue(Models.assertSameBits(a, b, "fresh against kept") > 10);
            // and the kept class agrees with the float64 interpreter
            assertTrue(Models.matchesInterpreter(m, c2, "kept", 1e-4) > 10);
        }
    }

    @Test
    void theKeyChangesWithWhatChangesTheCodeAndOnlyWithThat() {
        ClassCache c = cache(ClassCache.DEFAULT_LIMIT_BYTES);
        String base = c.key(model("winograd", 6, 3), PKG, true, JavaBackend.Memory.KEPT);
        assertEquals(base, c.key(model("winograd", 6, 3), PKG, true, JavaBackend.Memory.KEPT), "the same file compiled again");

        List<String> others = new ArrayList<>(List.of(
                c.key(model("direct", 6, 3), PKG, true, JavaBackend.Memory.KEPT),            // algo: left out of Conv's own text
                c.key(model("winograd", 7, 3), PKG, true, JavaBackend.Memory.KEPT),          // a shape
                c.key(model("winograd", 6, 4), PKG, true, JavaBackend.Memory.KEPT),          // the batch
                c.key(Models.model("small.cnn", NET.formatted("winograd", 6).replace("// the algorithm", "// an algorithm"), 3),
                        PKG, true, JavaBackend.Memory.KEPT),                                   // a comment: generated comments quote lines
                c.key(Models.model("other.cnn", NET.formatted("winograd", 6), 3), PKG, true, JavaBackend.Memory.KEPT),
                c.key(model("winograd", 6, 3), "other.pkg", true, JavaBackend.Memory.KEPT),
                c.key(model("winograd", 6, 3), PKG, false, JavaBackend.Memory.KEPT),         // plain Java
                c.key(model("winograd", 6, 3), PKG, true, JavaBackend.Memory.SHARED),
                new ClassCache(dir, "another build", 1).key(model("winograd", 6, 3), PKG, true, JavaBackend.Memory.KEPT)));
        String old = System.getProperty("cnnc.conv.tile");
        System.setProperty("cnnc.conv.tile", "1x4");
        try {
            others.add(c.key(model("winograd", 6, 3), PKG, true, JavaBackend.Memory.KEPT));
        } finally {
            if (old == null) {
                System.clearProperty("cnnc.conv.tile");
            } else {
                System.setProperty("cnnc.conv.tile", old);
            }
        }
        others.add(base);
        assertEquals(others.size(), Set.copyOf(others).size(), () -> "every change a key of its own: " + others);
        for (String k : others) {
            assertTrue(k.matches("[0-9a-f]{64}"), k);
        }
    }

    /** Maps print sorted: Map.copyOf's order (the model's places) changes from one JVM to the next. */
    @Test
    void theCanonicalTextDoesNotDependOnAMapsOrder() {
        Map<String, Integer> ab = new LinkedHashMap<>();
        ab.put("a", 1);
        ab.put("b", 2);
        Map<String, Integer> ba = new LinkedHashMap<>();
        ba.put("b", 2);
        ba.put("a", 1);
        StringBuilder x = new StringBuilder();
        StringBuilder y = new StringBuilder();
        CanonicalText.append(List.of(ab, Set.of("p", "q", "r")), x);
        CanonicalText.append(List.of(ba, Set.of("r", "q", "p")), y);
        assertEquals(x.toString(), y.toString());
        assertNotEquals(x.toString(), canonical(List.of(Map.of("a", 2, "b", 1), Set.of("p", "q", "r"))));
    }

    /** The same key in another JVM (whose Map.copyOf and Set.of iterate in another order). */
    @Test
    void anotherJvmComputesTheSameKey() throws Exception {
        Path file = dir.resolve("small.cnn");
        Files.writeString(file, NET.formatted("winograd", 6));
        String here = cache(1).key(Models.file(file, 3), PKG, true, JavaBackend.Memory.KEPT);
        for (int run = 0; run < 2; run++) {
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                    System.getProperty("java.class.path"), KeyMain.class.getName(), file.toString(), dir.resolve("classes").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertEquals(0, p.waitFor(), out);
            assertEquals(here, out);
        }
    }

    /** Prints the key of a file's model at batch 3 (for {@link #anotherJvmComputesTheSameKey}). */
    public static final class KeyMain {
        public static void main(String[] args) {
            Model m = Models.file(Path.of(args[0]), 3);
            System.out.println(new ClassCache(Path.of(args[1]), "test build", 1).key(m, PKG, true, JavaBackend.Memory.KEPT));
        }
    }

    @Test
    void aDamagedOrMisnamedEntryIsAMissAndTheNextStoreReplacesIt() throws IOException {
        Model m = model("direct", 6, 2);
        JaninoLoader.Compiled fresh = compile(m);
        ClassCache c = cache(ClassCache.DEFAULT_LIMIT_BYTES);
        String key = c.key(m, PKG, true, JavaBackend.Memory.KEPT);
        c.store(key, fresh);
        Path entry = c.entry(key);
        byte[] whole = Files.readAllBytes(entry);
        assertTrue(whole.length > 1000);

        Files.write(entry, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertTrue(c.load(key).isEmpty(), "truncated");
        byte[] flipped = whole.clone();
        flipped[whole.length / 2] ^= 1;
        Files.write(entry, flipped);
        assertTrue(c.load(key).isEmpty(), "one bit changed");
        Files.write(entry, new byte[0]);
        assertTrue(c.load(key).isEmpty(), "empty");

        String other = "0".repeat(64);
        Files.write(c.entry(other), whole);
        assertTrue(c.load(other).isEmpty(), "an entry renamed to another key");

        c.store(key, fresh);
        assertArrayEquals(whole, Files.readAllBytes(entry));
        assertTrue(c.load(key).isPresent());
    }

    @Test
    void trimmingRemovesTheLeastRecentlyUsedEntriesAndNothingElse() throws IOException {
        JaninoLoader.Compiled fresh = compile(model("direct", 6, 2));
        ClassCache probe = cache(ClassCache.DEFAULT_LIMIT_BYTES);
        probe.store(key('e'), fresh);
        long size = Files.size(probe.entry(key('e')));
        Files.delete(probe.entry(key('e')));
        ClassCache c = cache(size * 5 / 2);  // room for two entries
        Path d = c.dir();
        Files.writeString(d.resolve("notes.txt"), "mine");
        Files.writeString(d.resolve("ABC.classes"), "not a key");
        Files.createDirectories(d.resolve("sub"));
        Files.writeString(d.resolve("sub").resolve(key('f') + ".classes"), "below");
        Path fresherTemp = d.resolve("." + key('a') + ".classes.1.2.tmp");
        Path staleTemp = d.resolve("." + key('b') + ".classes.1.2.tmp");
        Files.writeString(fresherTemp, "a writer at work");
        Files.writeString(staleTemp, "a writer that died");
        Files.setLastModifiedTime(staleTemp, FileTime.fromMillis(System.currentTimeMillis() - 3L * 24 * 3600 * 1000));

        c.store(key('1'), fresh);
        c.store(key('2'), fresh);
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(c.entry(key('1')), FileTime.fromMillis(now - 20_000));
        Files.setLastModifiedTime(c.entry(key('2')), FileTime.fromMillis(now - 10_000));
        assertTrue(c.load(key('1')).isPresent(), "a hit: entry 1 is now the most recently used");
        c.store(key('3'), fresh);

        assertTrue(Files.exists(c.entry(key('1'))) && Files.exists(c.entry(key('3'))));
        assertFalse(Files.exists(c.entry(key('2'))), "the least recently used entry goes");
        assertFalse(Files.exists(staleTemp), "a dead writer's temporary goes");
        for (Path kept : List.of(d.resolve("notes.txt"), d.resolve("ABC.classes"), d.resolve("sub").resolve(key('f') + ".classes"),
                fresherTemp)) {
            assertTrue(Files.exists(kept), kept + " is not the cache's to delete");
        }
    }

    @Test
    void aCacheThatCannotBeWrittenFailsTheStoreOnlyAndLeavesNothing() throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        ClassCache c = new ClassCache(file.resolve("classes"), "test build", ClassCache.DEFAULT_LIMIT_BYTES);
        Model m = model("direct", 6, 2);
        String key = c.key(m, PKG, true, JavaBackend.Memory.KEPT);
        assertThrows(IOException.class, () -> c.store(key, compile(m)));
        assertTrue(c.load(key).isEmpty());
        assertEquals("x", Files.readString(file));
    }

    private static String key(char c) {
        return String.valueOf(c).repeat(64);
    }

    private static String canonical(Object o) {
        StringBuilder b = new StringBuilder();
        CanonicalText.append(o, b);
        return b.toString();
    }
}
