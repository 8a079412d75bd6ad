package cnnc.syntax;

import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.diag.SourceFile;
import cnnc.grammar.CnnLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's lexer and parser errors into cnnc diagnostics: "unexpected X" with what was
 * expected spelled as the user would write it, stray characters and unterminated comments named
 * as such.
 */
final class SyntaxErrors extends BaseErrorListener {

    private final SourceFile source;
    private final Diagnostics diagnostics;

    SyntaxErrors(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int charPositionInLine,
                            String msg, RecognitionException e) {
        Pos pos = new Pos(source, line, charPositionInLine + 1, 1);
        if (recognizer instanceof Lexer lexer) {
            lexerError(lexer, pos);
        } else if (recognizer instanceof Parser parser && offending instanceof Token token) {
            Pos at = new Pos(source, line, charPositionInLine + 1, Math.max(1, token.getText().length()));
            String found = token.getType() == Token.EOF ? "end of file" : "'" + token.getText() + "'";
            diagnostics.error(at, "unexpected " + found, expected(parser, e));
        }
    }

    private void lexerError(Lexer lexer, Pos pos) {
        int start = lexer._tokenStartCharIndex;
        String text = source.text();
        if (text.startsWith("/*", start)) {
            diagnostics.error(pos, "unterminated comment: '/*' has no closing '*/'", "'*/' before the end of the file");
            return;
        }
        int cp = text.codePointAt(Math.min(start, text.length() - 1));
        String shown = Character.isISOControl(cp) ? String.format("\\u%04x", cp) : new String(Character.toChars(cp));
        diagnostics.error(pos, "stray character '" + shown + "'", "a name, a number, or one of { } ( ) = : ; , -");
    }

    private static String expected(Parser parser, RecognitionException e) {
        IntervalSet set = e != null && e.getExpectedTokens() != null ? e.getExpectedTokens() : parser.getExpectedTokens();
        List<String> words = new ArrayList<>();
        boolean name = set.contains(CnnLexer.NAME);
        for (int type : set.toList()) {
            if (!(name && isName(type))) {
                words.add(describe(parser, type));
            }
        }
        if (name) {
            words.add(0, "a name");
        }
        if (words.isEmpty()) {
            return "";
        }
        return words.size() == 1 ? words.get(0) : "one of " + String.join(", ", words);
    }

    private static boolean isName(int type) {
        return type == CnnLexer.NAME || type == CnnLexer.NETWORK || type == CnnLexer.INPUT || type == CnnLexer.TARGET
                || type == CnnLexer.LOSS || type == CnnLexer.TRAIN || type == CnnLexer.OPTIMIZER;
    }

    private static String describe(Parser parser, int type) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case CnnLexer.INT -> "an integer";
            case CnnLexer.FLOAT -> "a number";
            case CnnLexer.DIMS -> "dimensions like 5x5";
            default -> parser.getVocabulary().getDisplayName(type);
        };
    }
}
