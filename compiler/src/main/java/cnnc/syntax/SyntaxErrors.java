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
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's lexer and parser errors into cnnc diagnostics: "unexpected X" with what was
 * expected spelled as the user would write it, a missing token reported after the token it should
 * follow, runs of stray characters and unterminated comments named as such.
 *
 * <p>One error per statement: once a statement (the text between two of {@code ; { }}) has an
 * error, later parser errors in it are follow-ups of the first and are not reported.
 */
final class SyntaxErrors extends BaseErrorListener {

    private final SourceFile source;
    private final Diagnostics diagnostics;
    /** Code-point offsets of every error reported so far, to find the statements that have one. */
    private final List<Integer> errorOffsets = new ArrayList<>();
    private boolean unterminatedComment;
    /** A run of adjacent stray characters not yet reported: where it starts and its text. */
    private Pos strayPos;
    private int strayEnd = -1;
    private final StringBuilder stray = new StringBuilder();
    private int strayCount;

    SyntaxErrors(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int charPositionInLine,
                            String msg, RecognitionException e) {
        if (recognizer instanceof Lexer lexer) {
            lexerError(lexer, new Pos(source, line, charPositionInLine + 1, 1));
        }
    }

    private void lexerError(Lexer lexer, Pos pos) {
        int start = lexer._tokenStartCharIndex;
        String text = source.text();
        int at = text.offsetByCodePoints(0, Math.min(start, text.codePointCount(0, text.length()) - 1));
        if (text.startsWith("/*", at)) {
            endOfLexing();
            diagnostics.error(pos, "unterminated comment: '/*' has no closing '*/'", "'*/' before the end of the file");
            errorOffsets.add(start);
            unterminatedComment = true;
            return;
        }
        int cp = text.codePointAt(at);
        String shown = Character.isISOControl(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                ? String.format("\\u%04x", cp) : new String(Character.toChars(cp));
        if (start != strayEnd) {
            endOfLexing();
            strayPos = pos;
            errorOffsets.add(start);
        }
        stray.append(shown);
        strayCount++;
        strayEnd = start + 1;
    }

    /** Reports the last run of stray characters; called once the whole file is lexed. */
    void endOfLexing() {
        if (strayPos == null) {
            return;
        }
        diagnostics.error(new Pos(source, strayPos.line(), strayPos.column(), strayCount),
                (strayCount == 1 ? "stray character '" : "stray characters '") + stray + "'",
                "a name, a number, or one of { } ( ) = : ; , -");
        strayPos = null;
        stray.setLength(0);
        strayCount = 0;
    }

    /** The parser met {@code t} where it expected one of {@code expected}. */
    void unexpected(Parser parser, Token t, IntervalSet expected) {
        if (quiet(parser, t)) {
            return;
        }
        List<String> words = words(parser, expected);
        String want = words.isEmpty() ? "" : words.size() == 1 ? words.get(0) : "one of " + String.join(", ", words);
        if (t.getType() == Token.EOF) {
            diagnostics.error(afterPrevious(parser, t), "unexpected end of file", want);
        } else if (misspelledDims(parser, t)) {
            diagnostics.error(at(t), "unexpected '" + t.getText() + "': dimensions are written without spaces and with a lowercase x",
                    "dimensions like 5x5");
        } else {
            diagnostics.error(at(t), "unexpected '" + t.getText() + "'", want);
        }
        errorOffsets.add(t.getStartIndex());
    }

    /** The parser would go on if one token were inserted before {@code t}: reports it after the previous token. */
    void missing(Parser parser, Token t, IntervalSet expected) {
        List<String> words = words(parser, expected);
        if (words.size() != 1) {
            unexpected(parser, t, expected);
            return;
        }
        if (quiet(parser, t)) {
            return;
        }
        String before = t.getType() == Token.EOF ? " at the end of the file" : " before '" + t.getText() + "'";
        diagnostics.error(afterPrevious(parser, t), "missing " + words.get(0) + before, words.get(0));
        errorOffsets.add(t.getStartIndex());
    }

    /** Whether {@code t}'s statement already has an error, or {@code t} is the end a runaway comment swallowed. */
    private boolean quiet(Parser parser, Token t) {
        if (t.getType() == Token.EOF && unterminatedComment) {
            return true;
        }
        TokenStream tokens = parser.getInputStream();
        int from = -1;
        for (int k = t.getTokenIndex() - 1; k >= 0; k--) {
            if (isSync(tokens.get(k))) {
                from = tokens.get(k).getStopIndex();
                break;
            }
        }
        int to = Integer.MAX_VALUE;
        for (int k = Math.max(t.getTokenIndex(), 0); k < tokens.size(); k++) {
            Token u = tokens.get(k);
            if (isSync(u)) {
                to = u.getStopIndex();
                break;
            }
        }
        for (int offset : errorOffsets) {
            if (offset > from && offset <= to) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSync(Token t) {
        String s = t.getText();
        return t.getType() != Token.EOF && (s.equals(";") || s.equals("{") || s.equals("}"));
    }

    /** {@code 5 x 5} or {@code 5X5}: a number followed by a name that starts with x. */
    private static boolean misspelledDims(Parser parser, Token t) {
        int i = t.getTokenIndex();
        if (t.getType() != CnnLexer.NAME || i < 1 || !t.getText().matches("[xX][0-9]*")) {
            return false;
        }
        int before = parser.getInputStream().get(i - 1).getType();
        return before == CnnLexer.INT || before == CnnLexer.DIMS;
    }

    private Pos at(Token t) {
        return new Pos(source, t.getLine(), t.getCharPositionInLine() + 1, Math.max(1, t.getText().length()));
    }

    /** Just after the token before {@code t}: where a missing token or the end of the file belongs. */
    private Pos afterPrevious(Parser parser, Token t) {
        if (t.getTokenIndex() < 1) {
            return new Pos(source, t.getLine(), t.getCharPositionInLine() + 1, 1);
        }
        Token prev = parser.getInputStream().get(t.getTokenIndex() - 1);
        return new Pos(source, prev.getLine(), prev.getCharPositionInLine() + 1 + prev.getText().length(), 1);
    }

    private static List<String> words(Parser parser, IntervalSet set) {
        List<String> words = new ArrayList<>();
        if (set == null) {
            return words;
        }
        boolean name = set.contains(CnnLexer.NAME);
        if (name && set.contains(CnnLexer.INT) && set.contains(CnnLexer.DIMS) && set.contains(CnnLexer.TRUE)) {
            words.add("a value: a name, a number, true, false, dimensions like 5x5 or a pair like (1,1)");
            return words;
        }
        for (int type : set.toList()) {
            if (!(name && isName(type))) {
                words.add(describe(parser, type));
            }
        }
        if (name) {
            words.add(0, "a name");
        }
        return words;
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
