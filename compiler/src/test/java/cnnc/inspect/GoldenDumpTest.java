package cnnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.passes.Pipeline;
import java.io.IOException;
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
 * The text dumps of every {@code samples/*.cnn}, forward ({@code NAME.txt}) and with
 * {@code --backward} ({@code NAME.backward.txt}), against golden files in
 * {@code compiler/src/test/resources/golden/}. A refactor leaves them byte-identical unless it means
 * to change them; then {@code bin/regenerate-goldens} rewrites them all (it runs this test with
 * {@code -Dcnnc.regenerate=true}) and the diff goes into the commit for review.
 */
@org.junit.jupiter.api.Timeout(30)
class GoldenDumpTest {

    static final String REGENERATE = "bin/regenerate-goldens";

    private static final boolean regenerating = Boolean.getBoolean("cnnc.regenerate");

    static Path goldenDir() {
        return Models.root().resolve("compiler/src/test/resources/golden");
    }

    @TestFactory
    Stream<DynamicTest> textDumpsMatchGoldenFiles() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path sample : Models.samples()) {
            String name = Models.baseName(sample);
            tests.add(DynamicTest.dynamicTest(name + ".txt", () -> check(sample, name + ".txt", false)));
            tests.add(DynamicTest.dynamicTest(name + ".backward.txt", () -> check(sample, name + ".backward.txt", true)));
        }
        return tests.stream();
    }

    private static void check(Path sample, String golden, boolean backward) throws IOException {
        String actual = TextDump.render(Models.compile(sample, Options.defaults()), backward);
        Path file = goldenDir().resolve(golden);
        String rel = Models.root().relativize(file).toString();
        if (regenerating) {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(actual)) {
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                System.out.println("regenerated " + rel);
            }
            return;
        }
        if (!Files.exists(file)) {
            fail("no golden file " + rel + " for " + Models.root().relativize(sample)
                    + ": run " + REGENERATE + ", check the new files and commit them");
        }
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual,
                "the text dump of " + Models.root().relativize(sample) + (backward ? " --backward" : "")
                        + " differs from " + rel + "; if the change is meant, run " + REGENERATE + " and commit the diff");
    }

    /**
     * The example of {@code docs/dump-json.md}: its {@code ```json} block is the JSON dump, with
     * {@code --backward}, of the {@code ```cnn} block before it.
     */
    @Test
    void jsonDocExampleIsTheDumpOfItsModel() throws IOException {
        Path doc = Models.root().resolve("docs/dump-json.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int cnnStart = block(text, "```cnn\n", 0);
        int cnnEnd = text.indexOf("```\n", cnnStart);
        int jsonStart = block(text, "```json\n", cnnEnd);
        int jsonEnd = text.indexOf("```\n", jsonStart);
        String source = text.substring(cnnStart, cnnEnd);
        String actual = JsonDump.render(Pipeline.compile(SourceFile.of("tiny.cnn", source), Options.defaults()), true);
        if (regenerating) {
            if (!text.substring(jsonStart, jsonEnd).equals(actual)) {
                Files.writeString(doc, text.substring(0, jsonStart) + actual + text.substring(jsonEnd), StandardCharsets.UTF_8);
                System.out.println("regenerated the example of docs/dump-json.md");
            }
            return;
        }
        assertEquals(text.substring(jsonStart, jsonEnd), actual,
                "the example in docs/dump-json.md is not what cnnc dump writes; if the change is meant, run "
                        + REGENERATE + ", update the field tables to match and commit both");
    }

    private static int block(String text, String fence, int from) {
        int at = text.indexOf(fence, from);
        if (at < 0) {
            fail("docs/dump-json.md has no " + fence.strip() + " block");
        }
        return at + fence.length();
    }

    /** A golden file whose sample was renamed or removed would otherwise linger, checked by nothing. */
    @Test
    void everyGoldenFileHasItsSample() throws IOException {
        Set<String> expected = new TreeSet<>();
        Models.samples().forEach(s -> {
            expected.add(Models.baseName(s) + ".txt");
            expected.add(Models.baseName(s) + ".backward.txt");
        });
        Set<String> orphans = new TreeSet<>();
        if (Files.isDirectory(goldenDir())) {
            try (Stream<Path> files = Files.list(goldenDir())) {
                files.map(p -> p.getFileName().toString())
                        .filter(f -> f.matches("[A-Za-z0-9_-]+(\\.backward)?\\.txt"))
                        .filter(f -> !expected.contains(f))
                        .forEach(orphans::add);
            }
        }
        if (regenerating) {
            for (String orphan : orphans) {
                Files.delete(goldenDir().resolve(orphan));
                System.out.println("removed " + orphan + " (its sample is gone)");
            }
            return;
        }
        assertTrue(orphans.isEmpty(), "golden files without a samples/*.cnn: " + orphans
                + "; run " + REGENERATE + " to remove them");
    }
}
