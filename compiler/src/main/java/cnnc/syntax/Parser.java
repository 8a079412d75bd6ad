package cnnc.syntax;

import cnnc.diag.CompileError;
import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.diag.SourceFile;
import cnnc.grammar.CnnLexer;
import cnnc.grammar.CnnParser;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/**
 * Reads a .cnn file into {@link Ast.Network}s. Rejects binary files and empty files up front, then
 * lets ANTLR parse with error recovery so one run reports every syntax error of the file.
 */
public final class Parser {

    private Parser() {}

    /** Decodes bytes as UTF-8 text, refusing binary data (NUL bytes, invalid UTF-8). */
    public static SourceFile decode(String name, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw binary(name, "a NUL byte at offset " + i);
            }
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            return SourceFile.of(name, text);
        } catch (CharacterCodingException e) {
            throw binary(name, "bytes that are not UTF-8 text");
        }
    }

    private static CompileError binary(String name, String what) {
        Pos pos = new Pos(SourceFile.of(name, ""), 1, 1, 1);
        return CompileError.at(pos, "not a .cnn text file: it holds " + what, "a text file with 'network NAME { ... }'");
    }

    /** Parses every network of the file; throws {@link CompileError} with all syntax errors. */
    public static List<Ast.Network> parse(SourceFile source) {
        Diagnostics diagnostics = new Diagnostics();
        if (source.text().isBlank() || onlyComments(source)) {
            diagnostics.error(new Pos(source, 1, 1, 1), "empty file: no network is defined", "'network NAME { ... }'");
            diagnostics.throwIfAny();
        }
        CnnLexer lexer = new CnnLexer(CharStreams.fromString(source.text(), source.name()));
        SyntaxErrors listener = new SyntaxErrors(source, diagnostics);
        lexer.removeErrorListeners();
        lexer.addErrorListener(listener);
        CnnParser parser = new CnnParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(listener);
        CnnParser.FileContext tree = parser.file();
        diagnostics.throwIfAny();
        return new AstBuilder(source).file(tree);
    }

    private static boolean onlyComments(SourceFile source) {
        String stripped = source.text().replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
        return stripped.isBlank();
    }
}
