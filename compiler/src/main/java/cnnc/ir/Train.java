package cnnc.ir;

import cnnc.diag.Pos;
import java.util.Map;

/**
 * The {@code train} block: batch size, epochs, seed, the optimizer with its settings (defaults
 * filled in, docs/language.md §4), the learning-rate schedule ({@code constant} or {@code cosine},
 * see docs/training.md), and how training images are augmented and inputs normalized
 * (docs/data.md). {@code batch} is 0 when the block does not say.
 */
public record Train(int batch, int epochs, long seed, String optimizer, Map<String, Double> settings, String schedule, Pos pos,
                    Augmentation augment, Normalization normalize) {

    public Train {
        settings = Map.copyOf(settings);
    }

    /** Without augmentation and normalization. */
    public Train(int batch, int epochs, long seed, String optimizer, Map<String, Double> settings, String schedule, Pos pos) {
        this(batch, epochs, seed, optimizer, settings, schedule, pos, Augmentation.NONE, Normalization.NONE);
    }

    public static Train defaults() {
        return new Train(0, 1, 1, "sgd", Map.of("lr", 0.01, "momentum", 0.0, "decay", 0.0, "nesterov", 0.0), "constant", Pos.NONE);
    }

    public double setting(String key) {
        Double v = settings.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no optimizer setting " + key);
        }
        return v;
    }
}
