package cnnc.syntax;

import cnnc.diag.CompileError;
import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.diag.SourceFile;
import cnnc.grammar.CnnLexer;
import cnnc.grammar.CnnParser;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
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
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        if (decoder.decode(in, out, true).isError() || decoder.flush(out).isError()) {
            throw binary(name, "bytes that are not UTF-8 text at offset " + in.position());
        }
        String text = out.flip().toString();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return SourceFile.of(name, text);
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
        SyntaxErrors errors = new SyntaxErrors(source, diagnostics);
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors);
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill(); // lex first: the parser's reports skip statements the lexer already complained about
        errors.endOfLexing();
        CnnParser parser = new CnnParser(tokens);
        parser.removeErrorListeners();
        parser.setErrorHandler(new Recovery(errors));
        CnnParser.FileContext tree = parser.file();
        diagnostics.throwIfAny();
        return new AstBuilder(source).file(tree);
    }

    private static boolean onlyComments(SourceFile source) {
        String stripped = source.text().replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
        return stripped.isBlank();
    }
}
