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

    @Override
    public String toString() {
        return known() ? file.name() + ":" + line + ":" + column : "<none>";
    }
}
