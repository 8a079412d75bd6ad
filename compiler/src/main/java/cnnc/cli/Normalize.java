package cnnc.cli;

import cnnc.ir.Augmentation;
import cnnc.ir.Model;
import cnnc.ir.Normalization;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Preprocessing;

/** The train block's data settings as the runtime applies them. */
final class Normalize {

    private Normalize() {}

    /**
     * The preprocessing of a training run: the class names of the data, and the normalization the
     * train block asks for (none, measured on {@code train}, or given).
     */
    static Preprocessing preprocessing(Normalization n, Dataset train, Model m) {
        float[] mean = null;
        float[] std = null;
        if (n.measure()) {
            float[][] ms = train.measureMeanStd();
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
        return new Preprocessing(train.channels(), train.height(), train.width(), mean, std, train.classNames());
    }

    static Augment augment(Augmentation a) {
        return new Augment(a.flipHorizontal(), a.flipVertical(), a.crop() > 0 ? a.pad() : 0);
    }
}
