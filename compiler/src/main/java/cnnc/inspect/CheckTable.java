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
        long totalBytes = 0;
        for (Step s : f.steps()) {
            List<Buffer> owned = s.inputs().stream().filter(b -> b.role() == Role.PARAMETER).toList();
            long params = owned.stream().mapToLong(b -> b.shape().size()).sum();
            total += params;
            totalBytes += owned.stream().mapToLong(Buffer::bytes).sum();
            rows.add(new String[] {s.output().name(), s.op().mnemonic(), s.output().shape().toString(),
                    params == 0 ? "-" : Sizes.count(params), String.valueOf(s.pos().line())});
        }
        StringBuilder out = new StringBuilder();
        out.append("network ").append(model.name()).append(" (").append(model.source().name()).append("), batch ")
                .append(model.batch()).append("\n\n");
        table(out, rows, 3, 4);
        out.append("\ntotal parameters: ").append(Sizes.count(total)).append(" (").append(Sizes.bytes(totalBytes)).append(")\n\n");
        memory(out, model);
        return out.toString();
    }

    private static String line(Model model, Buffer input) {
        return model.place(input.name()).known() ? String.valueOf(model.place(input.name()).line()) : "-";
    }

    /**
     * One row per class of buffer (activations, sensitivities, path tensors...): how many, and their bytes.
     * An inference build (no backward graph) allocates no buffer that only the backward pass reads.
     */
    private static void memory(StringBuilder out, Model model) {
        Map<Role, long[]> classes = new EnumMap<>(Role.class);
        List<Buffer> all = new ArrayList<>(model.forward().buffers().values());
        model.backward().ifPresent(g -> g.steps().forEach(s -> all.addAll(s.outputs())));
        if (model.backward().isEmpty()) {
            all.removeIf(b -> b.role().forBackwardOnly());
        }
        for (Buffer b : all) {
            long[] c = classes.computeIfAbsent(b.role(), r -> new long[2]);
            c[0]++;
            c[1] += b.bytes();
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"memory at batch " + model.batch(), "buffers", "bytes", ""});
        long count = 0;
        long bytes = 0;
        for (Map.Entry<Role, long[]> e : classes.entrySet()) {
            rows.add(memoryRow("  " + label(e.getKey()), e.getValue()[0], e.getValue()[1]));
            count += e.getValue()[0];
            bytes += e.getValue()[1];
        }
        rows.add(memoryRow("  total", count, bytes));
        table(out, rows, 1, 2, 3);
    }

    private static String[] memoryRow(String label, long count, long bytes) {
        return new String[] {label, Sizes.count(count), Sizes.count(bytes), Sizes.bytes(bytes)};
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
            case MASK -> "dropout masks";
        };
    }

    /** Columns padded to their widest cell; the columns listed in {@code right} align right. */
    private static void table(StringBuilder out, List<String[]> rows, int... right) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(width[i] - r[i].length());
                int column = i;
                boolean alignRight = java.util.Arrays.stream(right).anyMatch(c -> c == column);
                line.append(i == 0 ? "" : "  ").append(alignRight ? pad + r[i] : r[i] + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
