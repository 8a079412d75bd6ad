package cnnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.backend.java.JavaBackend;
import cnnc.backend.opencl.OpenClBackend;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.syntax.Parser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The generated code of every {@code samples/*.cnn}, pinned: for each sample at its train block's
 * batch, with its backward graph, the plain Java class ({@code java/NAME.java}, what
 * {@code cnnc generate --target java} writes), its inference variant at batch 1
 * ({@code java/NAME.inference.java}, what an embedding application compiles ahead of time), the Vector API class ({@code vector/NAME.java}, what
 * {@code cnnc train} compiles in memory) and the OpenCL kernels and launch plan
 * ({@code opencl/NAME.cl}, {@code opencl/NAME.plan}), all under
 * {@code compiler/src/test/resources/golden/generated/}. A refactor of the backends leaves them
 * byte-identical unless it means to change the output; then {@code bin/regenerate-goldens} rewrites
 * them (this test with {@code -Dcnnc.regenerate=true}) and the diff shows in review exactly what
 * changed in the generated code. Numeric tests check that the code is right; these check that it
 * did not move unnoticed.
 */
@org.junit.jupiter.api.Timeout(300)
class GoldenSourcesTest {

    private static final String REGENERATE = "bin/regenerate-goldens";
    private static final boolean regenerating = Boolean.getBoolean("cnnc.regenerate");

    /** The package the Java goldens are generated in (what the embedded application uses). */
    private static final String PACKAGE = "cnnc.generated";

    /** One generated file of a sample: its path under the golden directory and how to render it. */
    private record Golden(String file, Path sample, Kind kind) {}

    private enum Kind { JAVA, JAVA_INFERENCE, VECTOR, OPENCL_SOURCE, OPENCL_PLAN }

    static Path root() {
        return Path.of(System.getProperty("cnnc.root", ".")).toAbsolutePath().normalize();
    }

    static Path goldenDir() {
        return root().resolve("compiler/src/test/resources/golden/generated");
    }

    /** Every sample, sorted by name; a new sample is picked up without touching this test. */
    static List<Path> samples() {
        try (Stream<Path> files = Files.list(root().resolve("samples"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".cnn")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Golden> goldens() {
        List<Golden> out = new ArrayList<>();
        for (Path sample : samples()) {
            String name = sample.getFileName().toString().replaceFirst("\\.cnn$", "");
            out.add(new Golden("java/" + name + ".java", sample, Kind.JAVA));
            out.add(new Golden("java/" + name + ".inference.java", sample, Kind.JAVA_INFERENCE));
            out.add(new Golden("vector/" + name + ".java", sample, Kind.VECTOR));
            out.add(new Golden("opencl/" + name + ".cl", sample, Kind.OPENCL_SOURCE));
            out.add(new Golden("opencl/" + name + ".plan", sample, Kind.OPENCL_PLAN));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> generatedSourcesMatchGoldenFiles() {
        assertTrue(!samples().isEmpty(), "no samples/*.cnn under " + root());
        return goldens().stream().map(g -> DynamicTest.dynamicTest(g.file(), () -> check(g)));
    }

    /** Compiles as {@code cnnc generate} does, naming the file relative to the root as generated code cites it. */
    private static Model compile(Path file, Options options) throws IOException {
        String name = root().relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
        return Pipeline.compile(Parser.decode(name, Files.readAllBytes(file)), options);
    }

    private static String render(Golden g) throws IOException {
        if (g.kind() == Kind.JAVA_INFERENCE) {
            return JavaBackend.generate(compile(g.sample(), Options.defaults().withBatch(1).withTraining(false)), PACKAGE, false).text();
        }
        Model m = compile(g.sample(), Options.defaults());
        return switch (g.kind()) {
            case JAVA, JAVA_INFERENCE -> JavaBackend.generate(m, PACKAGE, false).text();
            case VECTOR -> JavaBackend.generate(m, PACKAGE, true).text();
            case OPENCL_SOURCE -> OpenClBackend.generate(m).source();
            case OPENCL_PLAN -> OpenClBackend.generate(m).plan().toText();
        };
    }

    private static void check(Golden g) throws IOException {
        String actual = render(g);
        Path file = goldenDir().resolve(g.file());
        String rel = root().relativize(file).toString();
        if (regenerating) {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(actual)) {
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                System.out.println("regenerated " + rel);
            }
            return;
        }
        if (!Files.exists(file)) {
            fail("no golden file " + rel + " for " + root().relativize(g.sample()) + ": run " + REGENERATE
                    + ", check the new files and commit them");
        }
        String expected = Files.readString(file, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            assertEquals(expected, actual, "the generated " + g.kind() + " of " + root().relativize(g.sample())
                    + " differs from " + rel + " (first difference at line " + firstDifference(expected, actual)
                    + "); if the change is meant, run " + REGENERATE + " and commit the diff");
        }
    }

    private static int firstDifference(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!x[i].equals(y[i])) {
                return i + 1;
            }
        }
        return Math.min(x.length, y.length) + 1;
    }

    /** A golden file whose sample was renamed or removed would otherwise linger, checked by nothing. */
    @Test
    void everyGoldenSourceHasItsSample() throws IOException {
        Set<String> expected = new TreeSet<>();
        goldens().forEach(g -> expected.add(g.file()));
        Set<String> orphans = new TreeSet<>();
        if (Files.isDirectory(goldenDir())) {
            try (Stream<Path> files = Files.walk(goldenDir())) {
                files.filter(Files::isRegularFile).map(p -> goldenDir().relativize(p).toString().replace('\\', '/'))
                        .filter(f -> !expected.contains(f)).forEach(orphans::add);
            }
        }
        if (regenerating) {
            for (String orphan : orphans) {
                Files.delete(goldenDir().resolve(orphan));
                System.out.println("removed golden/generated/" + orphan + " (its sample is gone)");
            }
            return;
        }
        assertTrue(orphans.isEmpty(), "golden files without a samples/*.cnn: " + orphans + "; run " + REGENERATE + " to remove them");
    }
}
