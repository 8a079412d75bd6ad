package cnnc.diag;

import java.util.Arrays;
import java.util.List;

/**
 * A .cnn file as the user wrote it: its display name (as given on the command line) and its text,
 * split into lines so diagnostics can quote the offending line.
 */
public record SourceFile(String name, String text, List<String> lines) {

    public SourceFile {
        lines = List.copyOf(lines);
    }

    /** Lines end at '\n' (an optional '\r' before it dropped), as ANTLR counts them, so line numbers agree. */
    public static SourceFile of(String name, String text) {
        return new SourceFile(name, text, Arrays.stream(text.split("\n", -1))
                .map(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l).toList());
    }

    /** The 1-based line, or "" past the end (a position at EOF). */
    public String line(int line) {
        return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    }
}
