package cnnc.cli;

import java.util.List;

/** Per-class accuracy and the confusion matrix as text, as {@code cnnc eval} prints them. */
final class ConfusionText {

    private ConfusionText() {}

    /** A table of per-class accuracy, then {@code m[true][predicted]} with class indices as column heads. */
    static String render(int[][] m, List<String> classes) {
        int k = m.length;
        int nameWidth = 5;
        for (String c : classes) {
            nameWidth = Math.max(nameWidth, Math.min(24, c.length()));
        }
        int cell = 4;
        for (int[] row : m) {
            for (int v : row) {
                cell = Math.max(cell, Integer.toString(v).length() + 1);
            }
        }
        StringBuilder b = new StringBuilder("per-class accuracy:\n");
        for (int t = 0; t < k; t++) {
            int total = 0;
            for (int v : m[t]) {
                total += v;
            }
            b.append(String.format("  %3d %-" + nameWidth + "s %7s  (%d/%d)%n", t, trim(classes.get(t), nameWidth),
                    total == 0 ? "-" : String.format("%.2f%%", 100.0 * m[t][t] / total), m[t][t], total));
        }
        b.append("confusion matrix (rows: true class, columns: predicted class):\n");
        b.append(" ".repeat(nameWidth + 7));
        for (int p = 0; p < k; p++) {
            b.append(String.format("%" + cell + "d", p));
        }
        b.append('\n');
        for (int t = 0; t < k; t++) {
            b.append(String.format("  %3d %-" + nameWidth + "s ", t, trim(classes.get(t), nameWidth)));
            for (int p = 0; p < k; p++) {
                b.append(String.format("%" + cell + "d", m[t][p]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String trim(String s, int w) {
        return s.length() <= w ? s : s.substring(0, w - 1) + "…";
    }
}
