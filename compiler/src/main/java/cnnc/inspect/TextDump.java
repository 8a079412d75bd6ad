package cnnc.inspect;

import cnnc.ir.Buffer;
import cnnc.ir.DType;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Step;
import java.util.stream.Collectors;

/**
 * The text dump: one line per buffer the graph reads from outside and per operation, stable so two
 * dumps can be diffed. An operation's line reads
 * {@code result : shape = op(inputs)  [detail]  {lowering}  @file:line}; the detail names the derived weight
 * transform, the backward anchor, the path tensor or the partials an accumulate sums; the lowering,
 * what the lowering passes decided ({@code run 2}: the per-sample run; {@code computes r1},
 * {@code computed by c1}: a fusion). Described in
 * {@code docs/inspect.md}; the golden files pin it, so change it on purpose (bin/regenerate-goldens).
 */
public final class TextDump {

    private TextDump() {}

    public static String render(Model model, boolean backward) {
        StringBuilder out = new StringBuilder();
        out.append("network ").append(model.name()).append(", batch ").append(model.batch())
                .append(", from ").append(model.source().name()).append('\n');
        out.append("forward:\n");
        graph(out, model.forward(), true);
        if (backward) {
            out.append("backward:\n");
            graph(out, model.backwardGraph(), false);
        }
        return out.toString();
    }

    private static void graph(StringBuilder out, Graph g, boolean withSources) {
        if (withSources) {
            for (Buffer b : g.sources()) {
                out.append("  ").append(result(b)).append(" = ").append(b.role().name().toLowerCase()).append('\n');
            }
        }
        for (Step s : g.steps()) {
            out.append("  ").append(line(s)).append('\n');
        }
    }

    /** {@code grad.p1 : 64x6x14x14 = conv_bf(grad.c2, c2.weight)  [V = rot180(W[c2])ᵀ, anchor (4,4)]  @lenet5.cnn:8}. */
    public static String line(Step s) {
        String results = s.outputs().stream().map(TextDump::result).collect(Collectors.joining(", "));
        String inputs = s.inputs().stream().map(Buffer::name).collect(Collectors.joining(", "));
        String detail = s.op().detail(s);
        String lowering = s.lowering().text();
        return results + " = " + s.op().mnemonic() + "(" + inputs + ")" + (detail.isEmpty() ? "" : "  [" + detail + "]")
                + (lowering.isEmpty() ? "" : "  {" + lowering + "}") + "  @" + s.pos().fileLine();
    }

    private static String result(Buffer b) {
        return b.name() + " : " + b.shape() + (b.dtype() == DType.I32 ? " i32" : "");
    }
}
