package cnnc.backend.java;

import com.palantir.javapoet.CodeBlock;

/**
 * Builds a method body line by line from plain Java text. Text goes through {@code $L}, so names
 * holding {@code $} (see {@link Names}) need no escaping; JavaPoet does the indentation.
 */
final class Code {

    private final CodeBlock.Builder b = CodeBlock.builder();

    /** A statement; the semicolon is added. */
    Code line(String statement) {
        b.addStatement("$L", statement);
        return this;
    }

    /** A one-line statement such as {@code for (...) y[j] += w * x[j]}; the semicolon is added, no braces. */
    Code one(String statement) {
        b.add("$L;\n", statement);
        return this;
    }

    /** A statement in JavaPoet's own format ({@code $T}, {@code $S}, {@code $L}); names go in as arguments. */
    Code fmt(String format, Object... args) {
        b.addStatement(format, args);
        return this;
    }

    /** A {@code case} label (or {@code default}) whose statements follow indented until {@link #endCase}. */
    Code label(String label) {
        b.add("$L:\n", label).indent();
        return this;
    }

    Code endCase() {
        b.unindent();
        return this;
    }

    /** Opens a block: {@code for (...)}, {@code if (...)}. */
    Code open(String head) {
        b.beginControlFlow("$L", head);
        return this;
    }

    /** {@code } else {}. */
    Code orElse(String head) {
        b.nextControlFlow("$L", head);
        return this;
    }

    Code close() {
        b.endControlFlow();
        return this;
    }

    /** A {@code //} comment line. */
    Code comment(String text) {
        b.add("// $L\n", text);
        return this;
    }

    /** A one-line {@code for (int v = lo; v < hi; v++)} loop around one statement. */
    Code loop(String var, long lo, long hi, String statement) {
        return open("for (int " + var + " = " + lo + "; " + var + " < " + hi + "; " + var + "++)").line(statement).close();
    }

    Code add(CodeBlock block) {
        b.add(block);
        return this;
    }

    CodeBlock build() {
        return b.build();
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
