package cnnc.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.front.Options;
import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Step;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Graphviz dump renders with {@code dot -Tpng}, and dot reads back (as {@code -Tjson}) exactly the
 * graph we meant: one node per buffer and per operation, one edge per operand, backward edges
 * dashed. Graphviz is required: without {@code dot} these tests fail, they do not skip.
 */
@org.junit.jupiter.api.Timeout(60)
class DotDumpTest {

    private static Map<String, Model> models() {
        Map<String, Model> out = new LinkedHashMap<>();
        for (Path sample : Models.samples()) {
            out.put(Models.baseName(sample), Models.compile(sample, Options.defaults()));
        }
        out.put("mix", Models.mix(true));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> rendersAsPng() {
        List<DynamicTest> tests = new ArrayList<>();
        models().forEach((name, model) -> {
            tests.add(DynamicTest.dynamicTest(name, () -> png(DotDump.render(model, false))));
            tests.add(DynamicTest.dynamicTest(name + " --backward", () -> png(DotDump.render(model, true))));
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> dotReadsBackTheGraph() {
        List<DynamicTest> tests = new ArrayList<>();
        models().forEach((name, model) -> {
            tests.add(DynamicTest.dynamicTest(name, () -> readBack(model, false)));
            tests.add(DynamicTest.dynamicTest(name + " --backward", () -> readBack(model, true)));
        });
        return tests.stream();
    }

    private static void png(String dot) throws Exception {
        byte[] png = run(dot, "-Tpng");
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        assertTrue(png.length > 1000, "a PNG of " + png.length + " bytes");
        assertArrayEquals(magic, Arrays.copyOf(png, 8), "dot -Tpng wrote no PNG");
    }

    @SuppressWarnings("unchecked")
    private static void readBack(Model model, boolean backward) throws Exception {
        Map<String, Object> g = (Map<String, Object>) JsonParser.parse(new String(run(DotDump.render(model, backward), "-Tjson"),
                StandardCharsets.UTF_8));
        Map<Long, Map<String, Object>> byId = new HashMap<>();
        Set<String> nodes = new HashSet<>();
        Set<String> clusters = new HashSet<>();
        for (Object o : (List<Object>) g.get("objects")) {
            Map<String, Object> n = (Map<String, Object>) o;
            byId.put((Long) n.get("_gvid"), n);
            String name = (String) n.get("name");
            if (name.startsWith("cluster_")) {
                clusters.add(name);
            } else {
                nodes.add(name);
            }
        }
        assertEquals(backward ? Set.of("cluster_forward", "cluster_backward") : Set.of("cluster_forward"), clusters);

        Set<String> expected = new HashSet<>(model.forward().buffers().keySet());
        List<Step> steps = new ArrayList<>(model.forward().steps());
        if (backward) {
            Graph b = model.backwardGraph();
            b.steps().forEach(s -> s.outputs().forEach(o -> expected.add(o.name())));
            steps.addAll(b.steps());
        }
        Set<String> buffers = new HashSet<>(expected);
        for (int i = 0; i < steps.size(); i++) {
            boolean fwd = i < model.forward().steps().size();
            expected.add("@" + (fwd ? "f" + i : "b" + (i - model.forward().steps().size())));
        }
        assertEquals(expected, nodes, "the nodes dot read");

        // Every operand is an edge: (buffer, op) for an input, (op, buffer) for an output, whichever
        // way it is written; backward ones are dashed.
        Map<String, String> edges = new HashMap<>();
        for (Object o : (List<Object>) g.get("edges")) {
            Map<String, Object> e = (Map<String, Object>) o;
            String tail = (String) byId.get((Long) e.get("tail")).get("name");
            String head = (String) byId.get((Long) e.get("head")).get("name");
            String key = "back".equals(e.get("dir")) ? head + " -> " + tail : tail + " -> " + head;
            assertTrue(edges.put(key, String.valueOf(e.get("style"))) == null, "edge drawn twice: " + key);
        }
        int forwardSteps = model.forward().steps().size();
        int operands = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            String op = "@" + (i < forwardSteps ? "f" + i : "b" + (i - forwardSteps));
            String style = i < forwardSteps ? "null" : "dashed";
            for (Buffer in : s.inputs()) {
                assertTrue(buffers.contains(in.name()), op + " reads " + in.name());
                assertEquals(style, edges.get(in.name() + " -> " + op), "edge " + in.name() + " -> " + s.op().mnemonic());
                operands++;
            }
            for (Buffer out : s.outputs()) {
                assertEquals(style, edges.get(op + " -> " + out.name()), "edge " + s.op().mnemonic() + " -> " + out.name());
                operands++;
            }
        }
        assertEquals(operands, edges.size(), "one edge per operand, no others");
    }

    @Test
    void operationNodesShowOpNodeAndDetail() {
        Model lenet = Models.compile(Models.root().resolve("samples/lenet5.cnn"), Options.defaults());
        String dot = DotDump.render(lenet, true);
        // conv_bf derived from c2: the op, the node, and the transform with the backward anchor.
        assertTrue(dot.contains("label=<<b>conv_bf</b> c2<br/><font point-size=\"8\" color=\"#505050\">"
                + "V = rot180(W[c2])ᵀ,<br/>anchor (4,4), algo direct</font>>"), dot);
        assertTrue(dot.contains("tooltip=\"ΔX[t][c][i][j] = "), "the formula is the tooltip");
        assertTrue(dot.contains("@samples/lenet5.cnn:9\""), "the tooltip cites the .cnn line");
        // tensors named like the operation ids of an older dump (f1, b0) stay apart from operations
        assertTrue(dot.contains("\"f1\" [label=\"f1\\n64x120x1x1\""), dot);
        assertTrue(dot.contains("\"@f0\" [shape=box"), dot);
        assertFalse(dot.contains("\"f0\""), dot);
    }

    @Test
    void detailsWrapAtCommasThenSpaces() {
        assertEquals("kernel 5x5, same,<br/>pads (2,2,2,2)", DotDump.wrap("kernel 5x5, same, pads (2,2,2,2)"));
        assertEquals("a &lt; b", DotDump.wrap("a < b"));
        assertEquals("Δy is not materialized:<br/>softmax and loss are fused",
                DotDump.wrap("Δy is not materialized: softmax and loss are fused"));
    }

    @Test
    void quotingEscapesQuotesBackslashesAndNewlines() {
        assertEquals("\"a\\\"b\\\\c\\nd\"", DotDump.quote("a\"b\\c\nd"));
    }

    /** Runs Graphviz's dot on {@code input} and returns what it wrote; fails (never skips) without Graphviz. */
    static byte[] run(String input, String format) throws Exception {
        Path dot = dot();
        Process p = new ProcessBuilder(dot.toString(), format).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("dot " + format + " did not finish in 60 s");
        }
        String errors = new String(err.get(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "dot " + format + " failed:\n" + errors + "\non:\n" + input);
        assertFalse(errors.contains("Error") || errors.contains("syntax"), "dot " + format + " complained:\n" + errors);
        return out.get();
    }

    private static byte[] readAll(InputStream in) {
        try (in; ByteArrayOutputStream buf = new ByteArrayOutputStream()) {
            in.transferTo(buf);
            return buf.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code /usr/bin/dot}, else {@code dot} on the PATH. */
    static Path dot() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/dot")));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "dot"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(
                "Graphviz's dot is not installed (looked in /usr/bin and on the PATH); the DOT dump is tested by rendering it."
                        + " Install Graphviz: apt-get install graphviz (CI installs it)."));
    }
}
