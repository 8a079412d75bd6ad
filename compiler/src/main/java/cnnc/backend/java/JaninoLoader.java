package cnnc.backend.java;

import cnnc.runtime.Network;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.codehaus.commons.compiler.CompileException;
import org.codehaus.commons.compiler.Location;
import org.codehaus.janino.SimpleCompiler;

/**
 * Compiles generated source in memory with Janino and loads it under a child class loader of the
 * runtime's, so a generated class sees only the runtime (and the JDK). A compile error here is a bug
 * of the generator: {@link GeneratedCodeError} names the generated file, line and column, and quotes
 * the line.
 */
public final class JaninoLoader {

    /** A compiled network class with the bytecode of every class it produced (for inspection). */
    public record Compiled(Class<? extends Network> type, Map<String, byte[]> bytecodes, JavaBackend.Source source) {

        /** A new instance: every buffer allocated, parameters zero, bn γ and running variance one. */
        public Network instantiate() {
            try {
                return type.getDeclaredConstructor().newInstance();
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("generated constructor of " + type.getName() + " failed", e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot instantiate " + type.getName(), e);
            }
        }
    }

    /** A compile error in generated code: an internal error of cnnc. */
    public static final class GeneratedCodeError extends RuntimeException {
        public GeneratedCodeError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private JaninoLoader() {}

    public static Compiled compile(JavaBackend.Source source) {
        SimpleCompiler compiler = cook(source);
        try {
            Class<?> c = compiler.getClassLoader().loadClass(source.qualifiedName());
            return new Compiled(c.asSubclass(Network.class), Map.copyOf(compiler.getBytecodes()), source);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Janino produced no class " + source.qualifiedName(), e);
        }
    }

    /**
     * Compiles {@code source} exactly as {@link #compile} does and loads nothing: the warm-up of a
     * JVM's first compile ({@code cnnc.cli.Warmup}), which need not be a network.
     */
    public static void compileOnly(JavaBackend.Source source) {
        cook(source);
    }

    private static SimpleCompiler cook(JavaBackend.Source source) {
        SimpleCompiler compiler = new SimpleCompiler();
        compiler.setParentClassLoader(Network.class.getClassLoader());
        compiler.setDebuggingInformation(true, true, false);
        try {
            compiler.cook(source.relativePath(), new StringReader(Lean.of(source.text())));
        } catch (CompileException e) {
            throw new GeneratedCodeError(describe(source, e), e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return compiler;
    }

    private static String describe(JavaBackend.Source source, CompileException e) {
        Location loc = e.getLocation();
        String where = source.relativePath();
        String line = "";
        if (loc != null) {
            // Janino read the lean text (same lines, no indentation): give the generated file's column
            where += ":" + loc.getLineNumber() + ":" + (loc.getColumnNumber() + Lean.indent(source.text(), loc.getLineNumber()));
            String[] lines = source.text().split("\n", -1);
            if (loc.getLineNumber() >= 1 && loc.getLineNumber() <= lines.length) {
                line = "\n    " + lines[loc.getLineNumber() - 1].strip();
            }
        }
        return "generated code does not compile: " + where + ": " + e.getMessage() + line;
    }
}
