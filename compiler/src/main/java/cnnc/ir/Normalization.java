package cnnc.ir;

import cnnc.diag.Pos;
import java.util.List;

/**
 * The train block's input normalization: {@code normalize none;} (the default: pixels in [0, 1]),
 * {@code normalize auto;} (each channel's mean and standard deviation measured on the training set),
 * or {@code normalize { mean: 0.49, 0.48, 0.45; std: 0.25, 0.24, 0.26; }} (given, one per channel).
 * An input value {@code v = byte / 255} becomes {@code (v - mean[c]) / std[c]}. {@code pos}: the setting.
 */
public record Normalization(boolean measure, List<Double> mean, List<Double> std, Pos pos) {

    public static final Normalization NONE = new Normalization(false, List.of(), List.of(), Pos.NONE);

    public Normalization {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
    }

    /** Whether values are given in the block. */
    public boolean given() {
        return !mean.isEmpty();
    }
}
