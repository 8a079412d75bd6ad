package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;

/**
 * {@link Code} indents plain lines itself and hands JavaPoet whole runs of text: the file it gives
 * must be the one JavaPoet's own statement and control-flow formats write, character for character
 * (nested blocks, else branches, case labels, {@code $T} statements at depth, comments, names with {@code $}).
 */
@org.junit.jupiter.api.Timeout(60)
class CodeTest {

    private static final ClassName POOL = ClassName.get("cnnc.runtime.exec", "ChunkPool");

    @Test
    void writesWhatJavaPoetsFormatsWrite() {
        CodeBlock inner = CodeBlock.builder().addStatement("int z = $L", 3).build();
        Code c = new Code()
                .comment("a comment with a $ sign")
                .line("int a$b = 0")
                .open("for (int i = 0; i < 4; i++)")
                .open("if (i == 2)")
                .fmt("pool = new $T($L)", POOL, 2)
                .orElse("else")
                .one("for (int j = 0; j < 2; j++) a$b += j")
                .close()
                .open("switch (i)")
                .label("case 0")
                .line("a$b++")
                .line("break")
                .endCase()
                .label("default")
                .add(inner)
                .line("break")
                .endCase()
                .close()
                .close()
                .loop("k", 0, 3, "a$b -= k")
                .open("")
                .line("long t0 = System.nanoTime()")
                .close();
        CodeBlock.Builder p = CodeBlock.builder()
                .add("// $L\n", "a comment with a $ sign")
                .addStatement("$L", "int a$b = 0")
                .beginControlFlow("$L", "for (int i = 0; i < 4; i++)")
                .beginControlFlow("$L", "if (i == 2)")
                .addStatement("pool = new $T($L)", POOL, 2)
                .nextControlFlow("$L", "else")
                .add("$L;\n", "for (int j = 0; j < 2; j++) a$b += j")
                .endControlFlow()
                .beginControlFlow("$L", "switch (i)")
                .add("$L:\n", "case 0").indent()
                .addStatement("$L", "a$b++")
                .addStatement("$L", "break")
                .unindent()
                .add("$L:\n", "default").indent()
                .add(inner)
                .addStatement("$L", "break")
                .unindent()
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("$L", "for (int k = 0; k < 3; k++)")
                .addStatement("$L", "a$b -= k")
                .endControlFlow()
                .beginControlFlow("$L", "")
                .addStatement("$L", "long t0 = System.nanoTime()")
                .endControlFlow();
        assertEquals(file(p.build()), file(c.build()));
    }

    @Test
    void multiLineStatementsKeepJavaPoetsContinuationIndent() {
        Code c = new Code().open("if (true)").line("int x = 1\n+ 2").comment("two\nlines").close();
        CodeBlock p = CodeBlock.builder().beginControlFlow("$L", "if (true)").addStatement("$L", "int x = 1\n+ 2")
                .add("// $L\n", "two\nlines").endControlFlow().build();
        assertEquals(file(p), file(c.build()));
    }

    @Test
    void buildCanBeCalledBetweenLines() {
        Code c = new Code().open("if (true)").line("int x = 1");
        c.build();
        c.line("x++").close();
        CodeBlock p = CodeBlock.builder().beginControlFlow("$L", "if (true)").addStatement("$L", "int x = 1")
                .addStatement("$L", "x++").endControlFlow().build();
        assertEquals(file(p), file(c.build()));
    }

    @Test
    void moreClosesThanOpensIsAnError() {
        assertThrows(IllegalStateException.class, () -> new Code().open("if (true)").close().close());
    }

    private static String file(CodeBlock body) {
        MethodSpec m = MethodSpec.methodBuilder("f").addModifiers(Modifier.PRIVATE).addCode(body).build();
        TypeSpec t = TypeSpec.classBuilder("T").addMethod(m).build();
        return JavaFile.builder("p", t).indent(Code.INDENT).build().toString();
    }
}
