package cnnc.backend.java;

import com.palantir.javapoet.CodeBlock;

/**
 * Builds a method body line by line from plain Java text. Text goes through {@code $L}, so names
 * holding {@code $} (see {@link Names}) need no escaping.
 *
 * <p>Plain lines are indented here, in the text JavaPoet would write, and reach JavaPoet as one
 * {@code $L} per run of lines: JavaPoet formats a file twice (once to collect its imports), and
 * parsing a format string per statement was most of the generator's time on large networks
 * (docs/performance.md, "Compile time"). Only {@link #fmt} statements and {@link #add}ed blocks,
 * which may name types ({@code $T}), go through JavaPoet's formats, at the same depth. The file
 * written is the same, character for character.
 */
final class Code {

    /** One level of indentation: the generated file's ({@code JavaBackend}'s {@code JavaFile.indent}). */
    static final String INDENT = "    ";

    private final CodeBlock.Builder b = CodeBlock.builder();
    /** Lines not yet handed to {@link #b}, indented relative to the block. */
    private final StringBuilder text = new StringBuilder();
    /** The depth of the next line: open blocks and case labels. */
    private int level;

    /** A statement; the semicolon is added. */
    Code line(String statement) {
        return statement.indexOf('\n') < 0 ? text(statement + ";\n") : poet(CodeBlock.builder().addStatement("$L", statement).build());
    }

    /** A one-line statement such as {@code for (...) y[j] += w * x[j]}; the semicolon is added, no braces. */
    Code one(String statement) {
        return statement.indexOf('\n') < 0 ? text(statement + ";\n") : poet(CodeBlock.of("$L;\n", statement));
    }

    /** A statement in JavaPoet's own format ({@code $T}, {@code $S}, {@code $L}); names go in as arguments. */
    Code fmt(String format, Object... args) {
        return poet(CodeBlock.builder().addStatement(format, args).build());
    }

    /** A {@code case} label (or {@code default}) whose statements follow indented until {@link #endCase}. */
    Code label(String label) {
        text(label + ":\n");
        level++;
        return this;
    }

    Code endCase() {
        level--;
        return this;
    }

    /** Opens a block: {@code for (...)}, {@code if (...)}. */
    Code open(String head) {
        text(head + " {\n");
        level++;
        return this;
    }

    /** {@code } else {}. */
    Code orElse(String head) {
        level--;
        text("} " + head + " {\n");
        level++;
        return this;
    }

    Code close() {
        level--;
        return text("}\n");
    }

    /** A {@code //} comment line. */
    Code comment(String text) {
        return text.indexOf('\n') < 0 ? text("// " + text + "\n") : poet(CodeBlock.of("// $L\n", text));
    }

    /** A one-line {@code for (int v = lo; v < hi; v++)} loop around one statement. */
    Code loop(String var, long lo, long hi, String statement) {
        return open("for (int " + var + " = " + lo + "; " + var + " < " + hi + "; " + var + "++)").line(statement).close();
    }

    Code add(CodeBlock block) {
        return poet(block);
    }

    CodeBlock build() {
        flush();
        return b.build();
    }

    /** One line (ending in a line break) at the current depth. */
    private Code text(String line) {
        if (level < 0) {
            throw new IllegalStateException("more blocks closed than opened before: " + line.strip());
        }
        text.append(INDENT.repeat(level)).append(line);
        return this;
    }

    /** A block JavaPoet formats, at the current depth. */
    private Code poet(CodeBlock block) {
        flush();
        for (int i = 0; i < level; i++) {
            b.indent();
        }
        b.add(block);
        for (int i = 0; i < level; i++) {
            b.unindent();
        }
        return this;
    }

    private void flush() {
        if (!text.isEmpty()) {
            b.add("$L", text.toString());
            text.setLength(0);
        }
    }

    /** A float literal that reads back exactly: {@code 0.1f}. */
    static String f(double v) {
        float x = (float) v;
        if (Float.isNaN(x) || Float.isInfinite(x)) {
            throw new IllegalArgumentException("not a finite float: " + v);
        }
        return Float.toString(x) + "f";
    }

    /** A double literal that reads back exactly. */
    static String d(double v) {
        return Double.toString(v);
    }
}
