package cnnc.backend.java;

/**
 * What Janino reads of a generated source: the same text without comments and without each line's
 * leading blanks, every line break kept, so a line number of the lean text is a line number of the
 * generated file. The comments are for people reading {@code cnnc generate}'s output; the scanner
 * would go through them character by character on every in-memory compile (about a third of
 * LeNet-5's training class, and Janino's parse is the largest share of a cold compile).
 */
final class Lean {

    private Lean() {}

    static String of(String java) {
        StringBuilder out = new StringBuilder(java.length());
        int n = java.length();
        boolean lineStart = true;
        for (int i = 0; i < n; i++) {
            char ch = java.charAt(i);
            if (lineStart && (ch == ' ' || ch == '\t')) {
                continue;
            }
            lineStart = false;
            if (ch == '"' || ch == '\'') {
                i = literal(java, i, out);
            } else if (ch == '/' && i + 1 < n && java.charAt(i + 1) == '/') {
                while (i + 1 < n && java.charAt(i + 1) != '\n') {
                    i++;
                }
            } else if (ch == '/' && i + 1 < n && java.charAt(i + 1) == '*') {
                int end = java.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                for (int j = i; j < end; j++) {
                    if (java.charAt(j) == '\n') {
                        out.append('\n');
                    }
                }
                out.append(' ');
                i = end - 1;
            } else {
                out.append(ch);
                lineStart = ch == '\n';
            }
        }
        return out.toString();
    }

    /** Copies the string or char literal opening at {@code i}; returns the index of its closing quote. */
    private static int literal(String s, int i, StringBuilder out) {
        char quote = s.charAt(i);
        out.append(quote);
        int j = i + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            out.append(c);
            if (c == '\\' && j + 1 < s.length()) {
                out.append(s.charAt(++j));
            } else if (c == quote || c == '\n') {
                return j;
            }
            j++;
        }
        return j - 1;
    }

    /** The number of leading blanks of line {@code line} (1-based) of {@code java}: what {@link #of} removed before column 1. */
    static int indent(String java, int line) {
        String[] lines = java.split("\n", -1);
        if (line < 1 || line > lines.length) {
            return 0;
        }
        String l = lines[line - 1];
        int k = 0;
        while (k < l.length() && (l.charAt(k) == ' ' || l.charAt(k) == '\t')) {
            k++;
        }
        return k;
    }
}
