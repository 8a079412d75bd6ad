package cnnc.inspect;

import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Step;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cnnc check}: every tensor with its operation, shape, parameter count and source line, then
 * the total parameters and the memory each class of buffer takes (activations, sensitivities, path
 * tensors, parameters, gradients...).
 */
public final class CheckTable {

    private CheckTable() {}

    public static String render(Model model) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"tensor", "op", "shape", "params", "line"});
        Graph f = model.forward();
        for (Buffer b : f.sources()) {
            if (b.role() == Role.INPUT || b.role() == Role.TARGET) {
                rows.add(new String[] {b.name(), b.role().name().toLowerCase(), b.shape().toString(), "-", line(model, b)});
            }
        }
        long total = 0;
        for (Step s : f.steps()) {
            long params = s.inputs().stream().filter(b -> b.role() == Role.PARAMETER).mapToLong(b -> b.shape().size()).sum();
            total += params;
            rows.add(new String[] {s.output().name(), s.op().mnemonic(), s.output().shape().toString(),
                    params == 0 ? "-" : Sizes.count(params), String.valueOf(s.pos().line())});
        }
        StringBuilder out = new StringBuilder();
        out.append("network ").append(model.name()).append(" (").append(model.source().name()).append("), batch ")
                .append(model.batch()).append("\n\n");
        table(out, rows);
        out.append("\ntotal parameters: ").append(Sizes.count(total)).append('\n');
        memory(out, model);
        return out.toString();
    }

    private static String line(Model model, Buffer input) {
        return model.place(input.name()).known() ? String.valueOf(model.place(input.name()).line()) : "-";
    }

    private static void memory(StringBuilder out, Model model) {
        Map<Role, Long> bytes = new EnumMap<>(Role.class);
        List<Buffer> all = new ArrayList<>(model.forward().buffers().values());
        model.backward().ifPresent(g -> g.steps().forEach(s -> all.addAll(s.outputs())));
        for (Buffer b : all) {
            bytes.merge(b.role(), b.bytes(), Long::sum);
        }
        out.append("memory (batch ").append(model.batch()).append("):\n");
        long sum = 0;
        for (Map.Entry<Role, Long> e : bytes.entrySet()) {
            out.append(String.format("  %-14s %12s%n", label(e.getKey()), Sizes.bytes(e.getValue())));
            sum += e.getValue();
        }
        out.append(String.format("  %-14s %12s%n", "total", Sizes.bytes(sum)));
    }

    private static String label(Role role) {
        return switch (role) {
            case INPUT -> "inputs";
            case TARGET -> "targets";
            case ACTIVATION -> "activations";
            case PARAMETER -> "parameters";
            case STATE -> "bn running";
            case PATH -> "path tensors";
            case SAVED -> "bn saved";
            case SENSITIVITY -> "sensitivities";
            case PARTIAL -> "partials";
            case GRADIENT -> "gradients";
            case LOSS -> "loss";
        };
    }

    private static void table(StringBuilder out, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean right = i == 3 || i == 4;
                String cell = right ? " ".repeat(width[i] - r[i].length()) + r[i] : r[i] + " ".repeat(width[i] - r[i].length());
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
