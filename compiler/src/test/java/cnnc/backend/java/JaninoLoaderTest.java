package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class JaninoLoaderTest {

    @Test
    void leanTextDropsCommentsAndIndentationButKeepsLinesAndLiterals() {
        String java = """
                /**
                 * A class. // not a line comment inside Javadoc
                 */
                class A {
                    // a comment
                    String s = "a // b /* c */ \\" d"; // trailing
                    char q = '"'; /* inline */ int x = 1;
                    char slash = '/';
                }
                """;
        String lean = Lean.of(java);
        assertEquals(java.split("\n", -1).length, lean.split("\n", -1).length, "every line kept");
        String[] lines = lean.split("\n", -1);
        assertEquals("class A {", lines[3]);
        assertEquals("", lines[4]);
        assertEquals("String s = \"a // b /* c */ \\\" d\"; ", lines[5]);
        assertEquals("char q = '\"';   int x = 1;", lines[6]);
        assertEquals("char slash = '/';", lines[7]);
        assertEquals(4, Lean.indent(java, 5));
    }

    /** A bug of the generator surfaces as an internal error naming the generated file, line and column, and quoting the line. */
    @Test
    void aCompileErrorNamesTheGeneratedLineAndColumn() {
        String java = """
                package p;

                /** Doc. */
                public class Broken {
                    // a comment that the lean text drops
                    int f() {
                        return undefinedName + 1;
                    }
                }
                """;
        JaninoLoader.GeneratedCodeError e = assertThrows(JaninoLoader.GeneratedCodeError.class,
                () -> JaninoLoader.compile(new JavaBackend.Source("p", "Broken", java)));
        assertTrue(e.getMessage().startsWith("generated code does not compile: p/Broken.java:7:16: "), e.getMessage());
        assertTrue(e.getMessage().contains("undefinedName"), e.getMessage());
        assertTrue(e.getMessage().endsWith("\n    return undefinedName + 1;"), e.getMessage());
    }
}
