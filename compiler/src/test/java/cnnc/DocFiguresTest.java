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
 * Figures do not drift: docs/results.md holds each measured number with its commit and command;
 * the README's figures are copies of numbers there, and what the docs say about tests matches the
 * tests' code.
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

    @Test
    void theReadmeFiguresAreInResultsWithTheirCommit() throws IOException {
        String readme = read("README.md");
        String results = read("docs/results.md");
        String section = group(readme, "(?s)## What it reaches\\n(.*?)\\n## ");
        assertTrue(section.matches("(?s).*commit [0-9a-f]{7}.*"), "the README's figures name their commit");
        String stop = group(results, "(?s)(## Stop 7.*?)\\n## ");
        assertTrue(stop.matches("(?s).*[Cc]ommit [0-9a-f]{7}.*"), "results.md names the commit of its figures");
        List<String> missing = new ArrayList<>();
        Matcher m = Pattern.compile("\\d[\\d,]*\\.\\d+|\\d{1,3}(,\\d{3})+").matcher(section.replace("PyTorch 1.13", ""));
        int figures = 0;
        while (m.find()) {
            figures++;
            if (!stop.contains(m.group())) {
                missing.add(m.group());
            }
        }
        assertTrue(figures >= 10, "found " + figures + " figures");
        assertEquals(List.of(), missing, "README figures not in docs/results.md, stop 7");
    }

    @Test
    void fashionBnAccuracyIsQuotedAsMeasured() throws IOException {
        String measured = group(read("docs/results.md"), "\\| fashion_bn, java, adam \\+ cosine \\|[^|]*\\| \\*\\*(0\\.\\d{4})\\*\\*");
        for (String file : List.of("README.md", "samples/README.md", "samples/fashion_bn.cnn")) {
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
        assertTrue(generate.contains("JavaBackend.generate(m, pkg, false)"));
        assertTrue(read("docs/performance.md").contains("`cnnc generate` always emits plain Java"));
        assertTrue(!read("docs/OPENCL.md").contains("2,100"), "an OpenCL throughput with no recorded run");
    }
}
