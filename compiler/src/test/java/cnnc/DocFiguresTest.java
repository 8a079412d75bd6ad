package cnnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Figures do not drift: docs/results.md holds each measured number with its commit and command,
 * the README points there instead of copying them, the samples quote fashion_bn's accuracy as
 * measured, and what the docs say about tests matches the tests' code.
 */
@Timeout(30)
class DocFiguresTest {

    private static final Path ROOT = Path.of(System.getProperty("cnnc.root", ".."));

    private static String read(String file) throws IOException {
        return Files.readString(ROOT.resolve(file));
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex);
        return m.group(1);
    }

    /**
     * The README copies no figure (they would drift): its "What it reaches" section points into
     * docs/results.md, and every section it names in quotes begins a heading there.
     */
    @Test
    void theReadmePointsToResultsWithoutCopyingFigures() throws IOException {
        String section = group(read("README.md"), "(?s)## What it reaches\\n(.*?)\\n## ");
        Matcher figure = Pattern.compile("\\d[\\d,]*\\.\\d+|\\d{1,3}(,\\d{3})+|\\d+(\\.\\d+)?x\\b|\\d+%")
                .matcher(section.replace("PyTorch 1.13", "").replace("224x224", ""));
        List<String> figures = new ArrayList<>();
        while (figure.find()) {
            figures.add(figure.group());
        }
        assertEquals(List.of(), figures, "figures copied into the README instead of pointed to in docs/results.md");
        String headings = String.join("\n", read("docs/results.md").lines().filter(l -> l.startsWith("#")).toList());
        Matcher named = Pattern.compile("\"([^\"]+)\"").matcher(section);
        int names = 0;
        while (named.find()) {
            String name = named.group(1).endsWith(" N") ? named.group(1).substring(0, named.group(1).length() - 1) : named.group(1);
            names++;
            assertTrue(headings.contains("# " + name) || headings.contains(" " + name), "docs/results.md has no section \"" + named.group(1) + "\"");
        }
        assertTrue(names >= 5, "the README names " + names + " sections of docs/results.md");
    }

    @Test
    void fashionBnAccuracyIsQuotedAsMeasured() throws IOException {
        String measured = group(read("docs/results.md"), "\\| fashion_bn, java, adam \\+ cosine \\|[^|]*\\| \\*\\*(0\\.\\d{4})\\*\\*");
        for (String file : List.of("samples/README.md", "samples/fashion_bn.cnn")) {
            String text = read(file);
            Matcher m = Pattern.compile("(?i)(?:fashion_bn[^\\n]*?|^//[^\\n]*?)(0\\.9\\d{3})", Pattern.MULTILINE).matcher(text);
            int quoted = 0;
            while (m.find()) {
                quoted++;
                assertEquals(measured, m.group(1), file);
            }
            assertTrue(quoted > 0, file + " quotes fashion_bn's accuracy");
        }
    }

    @Test
    void theDocsDescribeTheTestsAsWritten() throws IOException {
        String batch = group(read("compiler/src/test/java/cnnc/backend/opencl/OpenClBackendTest.java"), "Model model = compile\\(file, (\\d+)\\)");
        assertEquals(batch, group(read("docs/OPENCL.md"), "softmax without loss\\) at batch (\\d+)"), "docs/OPENCL.md");
        String vector = read("compiler/src/test/java/cnnc/backend/java/VectorPathTest.java");
        Matcher arrays = Pattern.compile("for \\(int batch : new int\\[\\] \\{(\\d+), (\\d+)\\}\\)").matcher(vector);
        assertTrue(arrays.find());
        String zoo = arrays.group(1) + " and " + arrays.group(2);
        assertTrue(arrays.find());
        String samples = arrays.group(1) + " and " + arrays.group(2);
        assertTrue(read("docs/performance.md").contains("every zoo model at batches " + zoo + " and every sample at " + samples),
                "docs/performance.md names VectorPathTest's batches");
        String generate = read("compiler/src/main/java/cnnc/cli/GenerateCommand.java");
        assertTrue(generate.contains("JavaBackend.generate(m, pkg, false, "), "generate writes plain Java (vector false)");
        assertTrue(read("docs/performance.md").contains("`cnnc generate` always emits plain Java"));
        assertTrue(!read("docs/OPENCL.md").contains("2,100"), "an OpenCL throughput with no recorded run");
    }
}
