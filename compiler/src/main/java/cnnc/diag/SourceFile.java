package cnnc.diag;

import java.util.List;

/**
 * A .cnn file as the user wrote it: its display name (as given on the command line) and its text,
 * split into lines so diagnostics can quote the offending line.
 */
public record SourceFile(String name, String text, List<String> lines) {

    public SourceFile {
        lines = List.copyOf(lines);
    }

    public static SourceFile of(String name, String text) {
        return new SourceFile(name, text, List.of(text.split("\r\n|\r|\n", -1)));
    }

    /** The 1-based line, or "" past the end (a position at EOF). */
    public String line(int line) {
        return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    }
}
