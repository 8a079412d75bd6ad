package cnnc.diag;

/**
 * One error found in a .cnn file: where, what is wrong, and what was expected there (may be empty).
 * Rendered as {@code file:line:column: error: message}, the source line, a caret under the place,
 * and an {@code expected:} line.
 */
public record Diagnostic(Pos pos, String message, String expected) {

    public String render() {
        StringBuilder out = new StringBuilder();
        out.append(pos.known() ? pos.toString() + ": " : "").append("error: ").append(message).append('\n');
        if (pos.known()) {
            String line = printable(pos.file().line(pos.line()));
            out.append("    ").append(line).append('\n');
            int col = Math.min(pos.column(), line.length() + 1);
            int len = Math.max(1, Math.min(pos.length(), line.length() - col + 1));
            out.append("    ").append(" ".repeat(col - 1)).append('^').append("~".repeat(len - 1)).append('\n');
        }
        if (!expected.isEmpty()) {
            out.append("    expected: ").append(expected).append('\n');
        }
        return out.toString();
    }

    /** The line with tabs as spaces and other control characters as '?', one column each, so the caret lines up. */
    private static String printable(String line) {
        StringBuilder out = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            out.append(ch == '\t' ? ' ' : Character.isISOControl(ch) ? '?' : ch);
        }
        return out.toString();
    }
}
