package cnnc.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.cli.Main;
import cnnc.front.Options;
import cnnc.passes.Pipeline;
import cnnc.syntax.Parser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Programs that must fail, as files: every {@code errors/NAME.cnn} must produce exactly the
 * diagnostics of {@code errors/NAME.expected} ({@code line:column: message}, in order), each saying
 * what was expected; {@code cnnc check} must exit 1 and print each one with its line and a caret
 * under its column, and never a stack trace. See {@code errors/README.md}.
 */
@org.junit.jupiter.api.Timeout(30)
class DiagnosticsTest {

    /** {@code -Dcnnc.update-errors=true} rewrites the .expected files from what the compiler says (then review the diff). */
    private static final boolean UPDATE = Boolean.getBoolean("cnnc.update-errors");

    private static final Path DIR = resources("errors");

    static Stream<String> programs() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cnn")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void reportsEveryErrorAtItsPlace(String name) throws IOException {
        Path file = DIR.resolve(name);
        List<Diagnostic> found = diagnose(file);
        List<String> actual = found.stream().map(DiagnosticsTest::brief).toList();
        String stem = name.substring(0, name.length() - ".cnn".length());
        Path expectedFile = DIR.resolve(stem + ".expected");
        if (UPDATE) {
            expectedFile = Path.of(System.getProperty("cnnc.root", "."), "compiler/src/test/resources/errors", stem + ".expected");
            Files.writeString(expectedFile, actual.stream().map(l -> l + "\n").reduce("", String::concat));
        }
        List<String> expected = Files.readAllLines(expectedFile).stream().filter(l -> !l.isBlank()).toList();
        assertEquals(String.join("\n", expected), String.join("\n", actual), name + ": line:column: message");
        for (Diagnostic d : found) {
            assertFalse(d.expected().isBlank(), name + ": says what was expected at " + brief(d));
        }
        checkCommandLine(file, expected);
    }

    /** {@code cnnc check FILE}: exit 1, nothing on stdout, every diagnostic rendered with its line and caret. */
    private static void checkCommandLine(Path file, List<String> expected) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"check", file.toString()}, new PrintWriter(out), new PrintWriter(err));
        String stderr = err.toString();
        assertEquals(1, code, stderr);
        assertEquals("", out.toString());
        assertFalse(stderr.contains("Exception") || stderr.contains("\tat "), "no stack trace:\n" + stderr);
        List<String> lines = stderr.lines().toList();
        List<String> source = sourceLines(file);
        for (String e : expected) {
            int line = Integer.parseInt(e.substring(0, e.indexOf(':')));
            int column = Integer.parseInt(e.substring(e.indexOf(':') + 1, e.indexOf(':', e.indexOf(':') + 1)));
            String header = file + ":" + line + ":" + column + ": error: " + e.substring(e.indexOf(": ") + 2);
            int at = lines.indexOf(header);
            assertTrue(at >= 0, "'" + header + "' in\n" + stderr);
            String quoted = line <= source.size() ? printable(source.get(line - 1)) : "";
            assertEquals("    " + quoted, lines.get(at + 1), "the source line of " + header);
            int caret = Math.min(column, quoted.length() + 1) + 3;
            assertEquals(caret, lines.get(at + 2).indexOf('^'), "the caret of " + header + "\n" + stderr);
            assertTrue(lines.get(at + 2).substring(0, caret).isBlank(), lines.get(at + 2));
            assertTrue(lines.get(at + 3).startsWith("    expected: "), "the expected line of " + header);
        }
        int n = expected.size();
        assertTrue(stderr.endsWith(n + (n == 1 ? " error\n" : " errors\n")), stderr);
    }

    @Test
    void rendersFileLineColumnSourceCaretAndExpected() {
        SourceFile f = SourceFile.of("m.cnn", "network n {\n\tinput x : 1x8x8;\n\tc = conv(x, 4, kernal: 3x3);\n}\n");
        CompileError e = compileError(f);
        assertEquals(2, e.diagnostics().size(), e.render());
        assertEquals("m.cnn:3:17: error: conv 'c' has no argument 'kernal' (did you mean 'kernel'?)\n"
                + "     c = conv(x, 4, kernal: 3x3);\n"
                + "                    ^~~~~~\n"
                + "    expected: one of K, kernel, anchor, padding, stride, bias, init, algo\n",
                e.diagnostics().get(1).render());
        assertTrue(e.render().endsWith("2 errors\n"), e.render());
    }

    @Test
    void countsLinesLikeTheLexerWhenALoneCarriageReturnIsInALine() {
        SourceFile f = SourceFile.of("m.cnn", "network n {\r\n    input x : 1x8x8;\r\n    c = relu(x\r) $;\r\n}\r\n");
        assertEquals(List.of("network n {", "    input x : 1x8x8;", "    c = relu(x\r) $;", "}", ""), f.lines());
        Diagnostic stray = compileError(f).diagnostics().get(0);
        assertEquals("3:18: stray character '$'", brief(stray));
        assertEquals("m.cnn:3:18: error: stray character '$'\n"
                + "        c = relu(x?) $;\n"
                + "                     ^\n"
                + "    expected: a name, a number, or one of { } ( ) = : ; , -\n", stray.render());
    }

    private static List<Diagnostic> diagnose(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return compileError(Parser.decode(file.getFileName().toString(), bytes)).diagnostics();
        } catch (CompileError e) {
            return e.diagnostics();
        }
    }

    private static CompileError compileError(SourceFile source) {
        try {
            Pipeline.compile(source, Options.defaults());
        } catch (CompileError e) {
            return e;
        }
        return fail(source.name() + " compiled without errors");
    }

    private static String brief(Diagnostic d) {
        return d.pos().line() + ":" + d.pos().column() + ": " + d.message();
    }

    /** The file's lines as the user sees them (split here, not by the compiler); a binary file shows no line. */
    private static List<String> sourceLines(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            Parser.decode(file.toString(), bytes);
        } catch (CompileError binary) {
            return List.of();
        }
        return Stream.of(new String(bytes, StandardCharsets.UTF_8).split("\n", -1))
                .map(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l).toList();
    }

    private static String printable(String line) {
        StringBuilder out = new StringBuilder();
        for (char ch : line.toCharArray()) {
            out.append(ch == '\t' ? ' ' : Character.isISOControl(ch) ? '?' : ch);
        }
        return out.toString();
    }

    static Path resources(String dir) {
        try {
            return Path.of(DiagnosticsTest.class.getResource("/" + dir).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
