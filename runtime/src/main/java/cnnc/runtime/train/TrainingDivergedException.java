package cnnc.runtime.train;

/**
 * Training stopped because the loss or a weight became NaN or infinite. The message says when,
 * what, and which checkpoint (if any) still holds the last good weights; fit to show a user
 * (the command line exits with status 1).
 */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
