package cnnc.runtime.optim;

/**
 * Updates a network's parameters in place from their gradients (docs/language.md §4). Bound to the
 * network's live buffers when created; allocates its state then, never during {@link #step()}.
 *
 * <p>State (for checkpoints): per parameter, one float buffer per slot name in {@link #slots()}
 * (same length as the parameter), plus the step count. Restoring both continues bit-identically.
 */
public interface Optimizer {

    /** {@code "sgd"} or {@code "adam"}. */
    String kind();

    /** Settings as written in a model, e.g. {@code sgd(lr: 0.05, momentum: 0.9, decay: 0, nesterov: false)}. */
    String describe();

    /** One update of every parameter from its current gradient ({@code grad.<param>}). */
    void step();

    /** Number of steps taken (Adam's bias correction depends on it). */
    long steps();

    /** Restores the step count (from a checkpoint). */
    void setSteps(long steps);

    /**
     * Multiplies {@code lr} by {@code factor} from the next step on (a {@link Schedule}); 1 gives
     * exactly the configured rate.
     */
    void setLearningRateFactor(double factor);

    /** The parameters this optimizer updates, in order. */
    String[] parameterNames();

    /** Names of the per-parameter state buffers: none, {@code v} (sgd momentum), or {@code m, v} (adam). */
    String[] slots();

    /** The live state buffer of one parameter and slot (write into it to restore state). */
    float[] state(String parameter, String slot);
}
