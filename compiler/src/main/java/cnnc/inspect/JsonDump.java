package cnnc.inspect;

import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON dump, schema {@code cnnc.graph} version {@value #VERSION}; documented in
 * {@code docs/dump-json.md}. Bump the version when a field changes meaning or disappears.
 */
public final class JsonDump {

    public static final int VERSION = 1;

    private JsonDump() {}

    public static String render(Model model, boolean backward) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", "cnnc.graph");
        root.put("version", VERSION);
        root.put("network", model.name());
        root.put("source", model.source().name());
        root.put("batch", model.batch());
        List<Buffer> buffers = new ArrayList<>(model.forward().buffers().values());
        if (backward) {
            model.backwardGraph().steps().forEach(s -> buffers.addAll(s.outputs()));
        }
        root.put("buffers", buffers.stream().map(JsonDump::buffer).toList());
        root.put("forward", steps(model.forward()));
        if (backward) {
            root.put("backward", steps(model.backwardGraph()));
        }
        return Json.write(root);
    }

    private static Map<String, Object> buffer(Buffer b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", b.name());
        m.put("role", b.role());
        m.put("shape", b.shape().dims());
        m.put("dtype", b.dtype());
        m.put("bytes", b.bytes());
        return m;
    }

    private static List<Object> steps(Graph g) {
        List<Object> out = new ArrayList<>();
        for (Step s : g.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("op", s.op().mnemonic());
            m.put("inputs", s.inputs().stream().map(Buffer::name).toList());
            m.put("outputs", s.outputs().stream().map(Buffer::name).toList());
            m.put("node", s.node());
            m.put("line", s.pos().line());
            m.put("formula", s.op().formula());
            m.put("detail", s.op().detail(s));
            m.put("attributes", Json.components((Record) s.op()));
            out.add(m);
        }
        return out;
    }
}
