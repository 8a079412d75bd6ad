package cnnc.inspect;

import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Step;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Graphviz dump: forward and backward graphs in one picture. Tensors are boxes, parameters
 * yellow ellipses, sensitivities and gradients pink; forward edges solid, backward edges dashed.
 * {@code dot -Tpng} renders it.
 */
public final class DotDump {

    private DotDump() {}

    public static String render(Model model, boolean backward) {
        StringBuilder out = new StringBuilder();
        out.append("digraph \"").append(escape(model.name())).append("\" {\n");
        out.append("  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
        out.append("  label=\"").append(escape(model.name() + ", batch " + model.batch())).append("\"; labelloc=t;\n");
        Map<String, Buffer> buffers = new LinkedHashMap<>(model.forward().buffers());
        if (backward) {
            model.backwardGraph().steps().forEach(s -> s.outputs().forEach(b -> buffers.put(b.name(), b)));
        }
        buffers.values().forEach(b -> node(out, b));
        steps(out, model.forward(), "f", false);
        if (backward) {
            steps(out, model.backwardGraph(), "b", true);
        }
        return out.append("}\n").toString();
    }

    private static void node(StringBuilder out, Buffer b) {
        String style = switch (b.role()) {
            case PARAMETER, STATE -> "shape=ellipse, style=filled, fillcolor=\"#fff3b0\"";
            case GRADIENT -> "shape=ellipse, style=filled, fillcolor=\"#f7c6d0\"";
            case SENSITIVITY, PARTIAL -> "shape=box, style=\"rounded,filled\", fillcolor=\"#f7c6d0\"";
            case PATH, SAVED -> "shape=box, style=\"filled\", fillcolor=\"#e0e0e0\"";
            case INPUT, TARGET, LOSS -> "shape=box, style=\"bold,filled\", fillcolor=\"#cfe8ff\"";
            case ACTIVATION -> "shape=box, style=filled, fillcolor=\"#cfe8ff\"";
        };
        out.append("  \"").append(escape(b.name())).append("\" [label=\"").append(escape(b.name() + "\\n" + b.shape()))
                .append("\", ").append(style).append("];\n");
    }

    private static void steps(StringBuilder out, Graph g, String prefix, boolean dashed) {
        int i = 0;
        for (Step s : g.steps()) {
            String id = prefix + (i++);
            out.append("  \"").append(id).append("\" [shape=plaintext, label=\"").append(escape(s.op().mnemonic()))
                    .append("\", tooltip=\"").append(escape(s.op().formula() + " @" + s.pos().fileLine())).append("\"];\n");
            String edge = dashed ? " [style=dashed, color=\"#b03060\"]" : "";
            for (Buffer in : s.inputs()) {
                out.append("  \"").append(escape(in.name())).append("\" -> \"").append(id).append('"').append(edge).append(";\n");
            }
            for (Buffer o : s.outputs()) {
                out.append("  \"").append(id).append("\" -> \"").append(escape(o.name())).append('"').append(edge).append(";\n");
            }
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\\\\n", "\\n");
    }

    static boolean isParameter(Buffer b) {
        return b.role() == Role.PARAMETER;
    }
}
