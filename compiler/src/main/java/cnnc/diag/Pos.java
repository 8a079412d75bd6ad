package cnnc.diag;

/**
 * A place in a .cnn file: 1-based line and column, and the length of the text it covers (at least
 * 1, so a caret always shows). {@link #NONE} marks synthesized things with no source.
 */
public record Pos(SourceFile file, int line, int column, int length) {

    public static final Pos NONE = new Pos(null, 0, 0, 0);

    public Pos {
        length = Math.max(length, 1);
    }

    public boolean known() {
        return file != null && line > 0;
    }

    /** {@code lenet5.cnn:9} — how dumps and generated comments cite a statement. */
    public String fileLine() {
        return known() ? file.name() + ":" + line : "<none>";
    }

    /** The text this place covers, as written (within its line); "" when unknown. */
    public String text() {
        if (!known()) {
            return "";
        }
        String l = file.line(line);
        int from = Math.min(column - 1, l.length());
        return l.substring(from, Math.min(from + length, l.length()));
    }

    @Override
    public String toString() {
        return known() ? file.name() + ":" + line + ":" + column : "<none>";
    }
}
