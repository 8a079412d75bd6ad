package cnnc.syntax;

import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;

/**
 * ANTLR's error recovery (single-token insertion and deletion, then resynchronization), reporting
 * through {@link SyntaxErrors} instead of ANTLR's English: a missing token is reported where it
 * belongs (after the previous token), anything else as "unexpected X" with what was expected.
 */
final class Recovery extends DefaultErrorStrategy {

    private final SyntaxErrors errors;

    Recovery(SyntaxErrors errors) {
        this.errors = errors;
    }

    @Override
    protected void reportNoViableAlternative(Parser parser, NoViableAltException e) {
        errors.unexpected(parser, e.getOffendingToken(), e.getExpectedTokens());
    }

    @Override
    protected void reportInputMismatch(Parser parser, InputMismatchException e) {
        errors.unexpected(parser, e.getOffendingToken(), e.getExpectedTokens());
    }

    @Override
    protected void reportFailedPredicate(Parser parser, FailedPredicateException e) {
        errors.unexpected(parser, e.getOffendingToken(), getExpectedTokens(parser));
    }

    @Override
    protected void reportUnwantedToken(Parser parser) {
        if (inErrorRecoveryMode(parser)) {
            return;
        }
        beginErrorCondition(parser);
        errors.unexpected(parser, parser.getCurrentToken(), getExpectedTokens(parser));
    }

    @Override
    protected void reportMissingToken(Parser parser) {
        if (inErrorRecoveryMode(parser)) {
            return;
        }
        beginErrorCondition(parser);
        errors.missing(parser, parser.getCurrentToken(), getExpectedTokens(parser));
    }
}
