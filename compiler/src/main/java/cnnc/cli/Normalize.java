package cnnc.cli;

import cnnc.ir.Augmentation;
import cnnc.ir.Model;
import cnnc.ir.Normalization;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Preprocessing;
import java.util.List;
import java.util.function.Supplier;

/** The train block's data settings as the runtime applies them. */
final class Normalize {

    private Normalize() {}

    /**
     * The preprocessing of a training run: the class names of the data, and the normalization the
     * train block asks for (none, measured on {@code train}, or given).
     */
    static Preprocessing preprocessing(Normalization n, Dataset train, Model m) {
        return preprocessing(n, train::measureMeanStd, train.channels(), train.height(), train.width(), train.classNames());
    }

    /**
     * As {@link #preprocessing(Normalization, Dataset, Model)} for training images held elsewhere
     * (Spark's partitions): {@code measure} gives their {@code {mean[], std[]}} when asked.
     */
    static Preprocessing preprocessing(Normalization n, Supplier<float[][]> measure, int channels, int height, int width,
                                       List<String> classNames) {
        float[] mean = null;
        float[] std = null;
        if (n.measure()) {
            float[][] ms = measure.get();
            mean = ms[0];
            std = ms[1];
            for (int c = 0; c < std.length; c++) {
                if (!(std[c] > 0)) {
                    throw new UserError("normalize auto: channel " + c + " of the training images is constant (" + mean[c]
                            + "), so it has no standard deviation to divide by; use normalize none or give mean and std");
                }
            }
        } else if (n.given()) {
            mean = new float[n.mean().size()];
            std = new float[n.std().size()];
            for (int c = 0; c < mean.length; c++) {
                mean[c] = n.mean().get(c).floatValue();
                std[c] = n.std().get(c).floatValue();
            }
        }
        return new Preprocessing(channels, height, width, mean, std, classNames);
    }

    static Augment augment(Augmentation a) {
        return new Augment(a.flipHorizontal(), a.flipVertical(), a.crop() > 0 ? a.pad() : 0);
    }
}
