package cnnc.cli;

/** A mistake of the user's that is not in a .cnn file (a missing file, a bad flag): exit 1, one paragraph. */
public final class UserError extends RuntimeException {

    public UserError(String message) {
        super(message);
    }
}
