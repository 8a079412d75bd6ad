package cnnc.runtime.optim;

/**
 * How the learning rate moves over a training run: a factor on the optimizer's {@code lr} for the
 * step about to be taken ({@link Optimizer#setLearningRateFactor}).
 *
 * <ul>
 *   <li>{@code constant}: 1 at every step.</li>
 *   <li>{@code cosine}: {@code ½·(1 + cos(π·s/S))} for step {@code s = 0 .. S-1} of {@code S} in the
 *       run (Loshchilov and Hutter's SGDR without restarts): the full rate at the first step, half
 *       at the middle, close to zero at the last. A constant rate keeps the weights bouncing around
 *       a minimum; the decay lets the last epochs settle into it.</li>
 * </ul>
 *
 * The factor depends on the step number only, which a checkpoint keeps, so a resumed run follows
 * the same curve as one that never stopped.
 */
public enum Schedule {
    CONSTANT,
    COSINE;

    /** The factor for step {@code step} (0-based) of {@code total}; 1 outside {@code 0 .. total-1}'s cosine. */
    public double factor(long step, long total) {
        return switch (this) {
            case CONSTANT -> 1.0;
            case COSINE -> total <= 0 ? 1.0 : 0.5 * (1 + Math.cos(Math.PI * Math.min(step, total) / total));
        };
    }

    /** The name in a {@code .cnn} train block: {@code constant} or {@code cosine}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The schedule called {@code label}. */
    public static Schedule of(String label) {
        for (Schedule s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no learning-rate schedule '" + label + "': constant or cosine");
    }
}
