package cnnc.inspect;

import cnnc.ir.Buffer;
import cnnc.ir.DType;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Graphviz dump: the forward graph and, with {@code --backward}, the backward graph in one
 * picture ({@code dot -Tpng} renders it). Two clusters side by side: forward runs down the left,
 * backward runs up the right, so every backward operation sits level with the forward operation it
 * was derived from and the forward tensors it reads are close by.
 *
 * <p>Tensors are boxes (inputs bold, path tensors and saved statistics grey), parameters yellow
 * ellipses, sensitivities pink rounded boxes (partials dashed), parameter gradients pink ellipses.
 * Operations are small white boxes naming the op, its node and its detail; their tooltip holds the
 * formula and the {@code .cnn} line. Forward edges are solid; backward edges are dashed — dark red
 * along the sensitivities, grey where a backward operation reads a forward buffer.
 */
public final class DotDump {

    private static final String FONT = "Helvetica";
    private static final String BACKWARD_RED = "#b03060";
    private static final String READ_GREY = "#8c8c8c";
    private static final int WRAP = 30;

    private DotDump() {}

    public static String render(Model model, boolean backward) {
        StringBuilder out = new StringBuilder();
        out.append("digraph ").append(id(model.name())).append(" {\n");
        out.append("  graph [fontname=\"").append(FONT).append("\", fontsize=12, labelloc=t, newrank=true, nodesep=0.25, ranksep=0.3,\n")
                .append("         label=").append(quote(model.name() + ", batch " + model.batch() + " (" + model.source().name() + ")"
                        + (backward ? "\nforward solid, backward dashed" : ""))).append("];\n");
        out.append("  node [fontname=\"").append(FONT).append("\", fontsize=10, margin=\"0.08,0.03\", height=0.3];\n");
        out.append("  edge [fontname=\"").append(FONT).append("\", fontsize=9, arrowsize=0.7];\n");
        Graph f = model.forward();
        cluster(out, "forward", f.buffers(), f, "f");
        Map<String, Buffer> written = new LinkedHashMap<>();
        if (backward) {
            model.backwardGraph().steps().forEach(s -> s.outputs().forEach(o -> written.put(o.name(), o)));
            cluster(out, "backward", written, model.backwardGraph(), "b");
        }
        edges(out, f, "f", false, Map.of());
        if (backward) {
            edges(out, model.backwardGraph(), "b", true, written);
        }
        return out.append("}\n").toString();
    }

    /** A cluster holding the buffers a graph defines and its operation nodes. */
    private static void cluster(StringBuilder out, String name, Map<String, Buffer> buffers, Graph g, String prefix) {
        out.append("  subgraph cluster_").append(name).append(" {\n");
        out.append("    label=").append(quote(name)).append("; style=\"rounded,dashed\"; color=\"#b0b0b0\"; fontcolor=\"#606060\";\n");
        buffers.values().forEach(b -> out.append("    ").append(id(b.name())).append(" [").append(tensorStyle(b)).append("];\n"));
        int i = 0;
        for (Step s : g.steps()) {
            out.append("    ").append(opId(prefix, i++)).append(" [").append(opStyle(s)).append("];\n");
        }
        out.append("  }\n");
    }

    /**
     * The edges of a graph. Backward edges between backward buffers are written reversed with
     * {@code dir=back}: the arrow still points along the data flow, but dot ranks the backward graph
     * upwards, level with the forward graph it mirrors.
     */
    private static void edges(StringBuilder out, Graph g, String prefix, boolean backward, Map<String, Buffer> ownBuffers) {
        int i = 0;
        for (Step s : g.steps()) {
            String op = opId(prefix, i++);
            for (Buffer in : s.inputs()) {
                if (!backward) {
                    edge(out, id(in.name()), op, "");
                } else if (ownBuffers.containsKey(in.name())) {
                    edge(out, op, id(in.name()), "dir=back, style=dashed, color=\"" + BACKWARD_RED + "\"");
                } else {
                    edge(out, id(in.name()), op, "style=dashed, color=\"" + READ_GREY + "\"");
                }
            }
            for (Buffer o : s.outputs()) {
                if (!backward) {
                    edge(out, op, id(o.name()), "");
                } else {
                    edge(out, id(o.name()), op, "dir=back, style=dashed, color=\"" + BACKWARD_RED + "\"");
                }
            }
        }
    }

    private static void edge(StringBuilder out, String from, String to, String attributes) {
        out.append("  ").append(from).append(" -> ").append(to);
        if (!attributes.isEmpty()) {
            out.append(" [").append(attributes).append(']');
        }
        out.append(";\n");
    }

    private static String tensorStyle(Buffer b) {
        String label = "label=" + quote(b.name() + "\n" + b.shape() + (b.dtype() == DType.I32 ? " i32" : ""));
        String style = switch (b.role()) {
            case INPUT, TARGET -> "shape=box, style=\"bold,filled\", fillcolor=\"#cfe8ff\"";
            case ACTIVATION -> "shape=box, style=filled, fillcolor=\"#cfe8ff\"";
            case LOSS -> "shape=box, style=\"bold,filled\", fillcolor=\"#9fc9f5\"";
            case PARAMETER -> "shape=ellipse, style=filled, fillcolor=\"#fff3b0\"";
            case STATE -> "shape=ellipse, style=\"dashed,filled\", fillcolor=\"#fffbe0\"";
            case PATH, SAVED -> "shape=box, style=filled, fillcolor=\"#e4e4e4\"";
            case SENSITIVITY -> "shape=box, style=\"rounded,filled\", fillcolor=\"#f7c6d0\"";
            case PARTIAL -> "shape=box, style=\"rounded,dashed,filled\", fillcolor=\"#fbe3e8\"";
            case GRADIENT -> "shape=ellipse, style=filled, fillcolor=\"#f7c6d0\"";
            case MASK -> "shape=box, style=\"dotted,filled\", fillcolor=\"#e4e4e4\"";
        };
        return label + ", " + style;
    }

    /** An operation: its mnemonic in bold, the node it belongs to, its detail (wrapped) in small grey. */
    private static String opStyle(Step s) {
        StringBuilder html = new StringBuilder("<<b>").append(html(s.op().mnemonic())).append("</b> ").append(html(s.node()));
        String detail = s.op().detail(s);
        if (!detail.isEmpty()) {
            html.append("<br/><font point-size=\"8\" color=\"#505050\">").append(wrap(detail)).append("</font>");
        }
        html.append('>');
        return "shape=box, style=\"rounded,filled\", fillcolor=white, color=\"#606060\", penwidth=0.8, label=" + html
                + ", tooltip=" + quote(s.op().formula() + "  @" + s.pos().fileLine());
    }

    /** Breaks a detail after commas, or else between words, so lines stay under about {@value #WRAP} characters. */
    static String wrap(String detail) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        String[] parts = detail.split("(?<=,) ");
        for (String part : parts) {
            for (String word : part.length() > WRAP ? part.split(" ") : new String[] {part}) {
                if (!line.isEmpty() && line.length() + 1 + word.length() > WRAP) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                line.append(line.isEmpty() ? "" : " ").append(word);
            }
        }
        lines.add(line.toString());
        return lines.stream().map(DotDump::html).collect(Collectors.joining("<br/>"));
    }

    private static String opId(String prefix, int index) {
        // '@' never occurs in a buffer name, so operation ids cannot collide with tensors (f1, b0...).
        return quote("@" + prefix + index);
    }

    private static String id(String name) {
        return quote(name);
    }

    /** A DOT double-quoted string; a newline becomes a centred line break. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
