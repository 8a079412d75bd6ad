package cnnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.ops.BackwardOp;
import cnnc.ops.ForwardOp;
import java.io.IOException;
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
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The JSON dump parses, has exactly the fields {@code docs/dump-json.md} documents (its tables are
 * read here), and its references are consistent: every step input and output names a buffer, each
 * buffer is written once and read only after it is written, and every sensitivity has its forward
 * partner's shape.
 */
@org.junit.jupiter.api.Timeout(30)
class JsonDumpTest {

    private static Map<String, List<List<String>>> doc;

    @BeforeAll
    static void readDoc() throws IOException {
        doc = tables(Files.readString(Models.root().resolve("docs/dump-json.md"), StandardCharsets.UTF_8));
    }

    /** The dumps checked: every sample and the model with every operation, forward only and with --backward. */
    private static Map<String, String> dumps() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Path sample : Models.samples()) {
            Model m = Models.compile(sample, Options.defaults());
            out.put(Models.baseName(sample), JsonDump.render(m, false));
            out.put(Models.baseName(sample) + " --backward", JsonDump.render(m, true));
        }
        out.put("mix", JsonDump.render(Models.mix(false), false));
        out.put("mix --backward --input-sensitivity", JsonDump.render(Models.mix(true), true));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyDumpMatchesTheDocumentedSchema() {
        return dumps().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> checkSchema(e.getValue())));
    }

    @TestFactory
    Stream<DynamicTest> everyReferenceNamesABufferWrittenBefore() {
        return dumps().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> checkReferences(e.getValue())));
    }

    private static void checkSchema(String json) {
        Map<String, Object> root = object(JsonParser.parse(json));
        Set<String> top = fields("Top level");
        if (!root.containsKey("backward")) {
            top.remove("backward");
        }
        assertEquals(top, root.keySet(), "top-level fields");
        assertEquals("cnnc.graph", root.get("schema"));
        assertEquals(1L, root.get("version"));
        Set<String> roles = firstColumn("Roles");
        for (Object o : list(root.get("buffers"))) {
            Map<String, Object> b = object(o);
            assertEquals(fields("Buffers"), b.keySet(), "fields of buffer " + b.get("name"));
            assertTrue(roles.contains((String) b.get("role")), "undocumented role " + b.get("role"));
            assertTrue(Set.of("f32", "i32").contains((String) b.get("dtype")), "dtype " + b.get("dtype"));
            assertEquals("i32".equals(b.get("dtype")), "path".equals(b.get("role")), "only path tensors are i32: " + b.get("name"));
            long elements = list(b.get("shape")).stream().mapToLong(d -> (Long) d).reduce(1, (x, y) -> x * y);
            assertEquals(elements * 4, (Long) b.get("bytes"), "bytes of " + b.get("name"));
        }
        Map<String, Set<String>> attributes = documentedAttributes();
        Set<String> attributeFields = firstColumn("Attributes");
        for (Object o : steps(root)) {
            Map<String, Object> s = object(o);
            assertEquals(fields("Steps"), s.keySet(), "fields of a " + s.get("op") + " step");
            Set<String> expected = attributes.get((String) s.get("op"));
            assertNotNull(expected, "operation " + s.get("op") + " is not in the operations table of docs/dump-json.md");
            assertEquals(expected, object(s.get("attributes")).keySet(), "attributes of " + s.get("op"));
            assertTrue(attributeFields.containsAll(expected), "attributes of " + s.get("op") + " missing from the attributes table");
            assertTrue((Long) s.get("line") >= 1, "line of " + s.get("op"));
        }
    }

    private static void checkReferences(String json) {
        Map<String, Object> root = object(JsonParser.parse(json));
        Map<String, Map<String, Object>> buffers = new LinkedHashMap<>();
        for (Object o : list(root.get("buffers"))) {
            Map<String, Object> b = object(o);
            assertTrue(buffers.put((String) b.get("name"), b) == null, "buffer " + b.get("name") + " listed twice");
        }
        Set<String> defined = new HashSet<>();
        buffers.values().stream().filter(b -> Set.of("input", "target", "parameter", "state").contains((String) b.get("role")))
                .forEach(b -> defined.add((String) b.get("name")));
        for (Object o : steps(root)) {
            Map<String, Object> s = object(o);
            for (Object in : list(s.get("inputs"))) {
                assertTrue(buffers.containsKey((String) in), s.get("op") + " reads " + in + ", which is not in \"buffers\"");
                assertTrue(defined.contains((String) in), s.get("op") + " reads " + in + " before a step writes it");
            }
            for (Object out : list(s.get("outputs"))) {
                assertTrue(buffers.containsKey((String) out), s.get("op") + " writes " + out + ", which is not in \"buffers\"");
                assertTrue(defined.add((String) out), out + " is written twice");
            }
        }
        assertEquals(buffers.keySet(), defined, "every buffer is a source or written by a step");
        for (Map<String, Object> b : buffers.values()) {
            String name = (String) b.get("name");
            if (Set.of("sensitivity", "partial", "gradient").contains((String) b.get("role"))) {
                assertTrue(name.startsWith("grad."), name);
                Map<String, Object> partner = buffers.get(name.substring("grad.".length()).replaceFirst("~.*$", ""));
                assertNotNull(partner, "the forward buffer of " + name);
                assertEquals(partner.get("shape"), b.get("shape"), "shape of " + name);
            }
        }
    }

    /** Every operation class is used by mix.cnn, so the schema test above sees every operation. */
    @Test
    void mixUsesEveryOperationAndTheDocListsNoOther() {
        Model mix = Models.mix(true);
        Set<String> used = new TreeSet<>();
        mix.forward().steps().forEach(s -> used.add(s.op().getClass().getSimpleName()));
        mix.backwardGraph().steps().forEach(s -> used.add(s.op().getClass().getSimpleName()));
        Set<String> all = new TreeSet<>();
        for (Class<?> c : ForwardOp.class.getPermittedSubclasses()) {
            all.add(c.getSimpleName());
        }
        for (Class<?> c : BackwardOp.class.getPermittedSubclasses()) {
            all.add(c.getSimpleName());
        }
        all.removeAll(used);
        assertEquals(Set.of(), all, "operations mix.cnn does not use: add them to compiler/src/test/resources/inspect/mix.cnn"
                + " (and to the operations table of docs/dump-json.md)");

        Set<String> mnemonics = new TreeSet<>();
        mix.forward().steps().forEach(s -> mnemonics.add(s.op().mnemonic()));
        mix.backwardGraph().steps().forEach(s -> mnemonics.add(s.op().mnemonic()));
        Set<String> documented = new TreeSet<>(documentedAttributes().keySet());
        documented.removeAll(mnemonics);
        assertEquals(Set.of(), documented, "docs/dump-json.md documents operations that do not exist (or mix.cnn misses them)");
    }

    @Test
    void convAttributesGiveThePadsAndTheBackwardAnchor() {
        Model lenet = Models.compile(Models.root().resolve("samples/lenet5.cnn"), Options.defaults());
        Map<String, Object> root = object(JsonParser.parse(JsonDump.render(lenet, true)));
        Map<String, Object> c2 = step(root, "backward", "conv_bf", "c2");
        assertEquals(List.of("grad.c2", "c2.weight"), c2.get("inputs"));
        assertEquals(List.of("grad.p1"), c2.get("outputs"));
        Map<String, Object> a = object(c2.get("attributes"));
        // padding: valid puts the anchor at (0,0); the backward anchor is (M-1-0, N-1-0) for a 5x5 kernel.
        assertEquals(List.of(5L, 5L), a.get("kernel"));
        assertEquals("valid", a.get("padding"));
        assertEquals(List.of(0L, 0L, 0L, 0L), a.get("pads"));
        assertEquals(List.of(4L, 4L), a.get("backward_anchor"));
        assertEquals(16L, a.get("out_channels"));
        Map<String, Object> c1 = object(step(root, "forward", "conv", "c1").get("attributes"));
        assertEquals("same", c1.get("padding"));
        assertEquals(List.of(2L, 2L), c1.get("anchor"));
        assertEquals(List.of(2L, 2L, 2L, 2L), c1.get("pads"));
        Map<String, Object> p1 = step(root, "backward", "maxpool_bf", "p1");
        assertEquals(List.of("grad.p1", "path.p1"), p1.get("inputs"));
    }

    @Test
    void fanOutIsSummedInCnnOrder() {
        Map<String, Object> root = object(JsonParser.parse(JsonDump.render(Models.mix(true), true)));
        Map<String, Object> acc = step(root, "backward", "accumulate", "r");
        // r feeds c (line 12), s (13), u (15) and k (17), in that order.
        assertEquals(List.of("grad.r~c", "grad.r~s", "grad.r~u", "grad.r~k"), acc.get("inputs"));
        assertEquals(List.of("grad.r"), acc.get("outputs"));
        assertEquals(4L, object(acc.get("attributes")).get("count"));
        assertEquals("grad.r = grad.r~c + grad.r~s + grad.r~u + grad.r~k", acc.get("detail"));
        Map<String, Object> concat = step(root, "backward", "concat_bf", "k");
        // concat(t, g, r) of 8 channels each: the three inputs start at channels 0, 8 and 16.
        assertEquals(List.of(0L, 8L, 16L), object(concat.get("attributes")).get("offsets"));
        assertEquals(List.of("grad.t", "grad.g", "grad.r~k"), concat.get("outputs"));
        Map<String, Object> strided = step(root, "backward", "conv_bf", "a");
        assertEquals(List.of(2L, 2L), object(strided.get("attributes")).get("stride"));
        assertEquals(List.of("grad.x"), strided.get("outputs"));
    }

    @Test
    void forwardOnlyDumpHasNoBackward() {
        Map<String, Object> root = object(JsonParser.parse(JsonDump.render(Models.mix(false), false)));
        assertFalse(root.containsKey("backward"));
        for (Object o : list(root.get("buffers"))) {
            assertFalse(((String) object(o).get("name")).startsWith("grad."), "a forward dump lists " + object(o).get("name"));
        }
    }

    @Test
    void parserRejectsWhatIsNotJson() {
        for (String bad : List.of("{\"a\": 1,}", "[1 2]", "{\"a\" 1}", "\"x", "01", "{\"a\": 1} x", "{\"a\": 1, \"a\": 2}")) {
            try {
                JsonParser.parse(bad);
                throw new AssertionError("parsed " + bad);
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException expected) {
                // what a strict parser must do
            }
        }
        assertEquals(Map.of("a", List.of(1L, -2.5e-3, true, "é\n")), JsonParser.parse("{\"a\": [1, -2.5E-3, true, \"\\u00e9\\n\"]}"));
    }

    private static Map<String, Object> step(Map<String, Object> root, String graph, String op, String node) {
        return list(root.get(graph)).stream().map(JsonDumpTest::object)
                .filter(s -> s.get("op").equals(op) && s.get("node").equals(node)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + op + " for " + node + " in " + graph));
    }

    private static List<Object> steps(Map<String, Object> root) {
        List<Object> out = new ArrayList<>(list(root.get("forward")));
        if (root.containsKey("backward")) {
            out.addAll(list(root.get("backward")));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        assertTrue(o instanceof Map, "expected a JSON object, found " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertTrue(o instanceof List, "expected a JSON array, found " + o);
        return (List<Object>) o;
    }

    // ---- reading docs/dump-json.md ----

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** The names in the first column of the table under {@code heading} ({@code `schema`} gives schema). */
    private static Set<String> firstColumn(String heading) {
        List<List<String>> rows = doc.get(heading);
        assertNotNull(rows, "docs/dump-json.md has no table under '" + heading + "'");
        Set<String> out = new TreeSet<>();
        rows.forEach(r -> out.addAll(codes(r.get(0))));
        return out;
    }

    private static Set<String> fields(String heading) {
        return new TreeSet<>(firstColumn(heading));
    }

    /** Operation to attribute names, from the operations table (last column; "none" is empty). */
    private static Map<String, Set<String>> documentedAttributes() {
        Map<String, Set<String>> out = new HashMap<>();
        for (List<String> row : doc.get("Operations")) {
            Set<String> keys = new TreeSet<>(codes(row.get(row.size() - 1)));
            codes(row.get(0)).forEach(op -> out.put(op, keys));
        }
        return out;
    }

    private static List<String> codes(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The body rows of each Markdown table, by the heading above it. */
    static Map<String, List<List<String>>> tables(String markdown) {
        Map<String, List<List<String>>> out = new HashMap<>();
        String heading = "";
        for (String line : markdown.split("\n")) {
            if (line.startsWith("#")) {
                heading = line.replaceFirst("^#+\\s*", "").strip();
            } else if (line.startsWith("|") && !line.matches("\\|[-| ]+\\|")) {
                List<String> cells = Arrays.stream(line.substring(1, line.length() - 1).split("\\|"))
                        .map(String::strip).collect(Collectors.toList());
                List<List<String>> rows = out.computeIfAbsent(heading, h -> new ArrayList<>());
                rows.add(cells);
            }
        }
        // drop each table's header row
        out.values().forEach(rows -> rows.remove(0));
        return out;
    }
}
