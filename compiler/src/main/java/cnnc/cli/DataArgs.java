package cnnc.cli;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.runtime.data.DataFiles;
import cnnc.runtime.data.DataLocator;
import cnnc.runtime.data.Dataset;
import java.io.IOException;
import picocli.CommandLine.Option;

/** {@code --data fashion-mnist|DIR} (docs/files.md) and the checks that the data fits the model. */
public final class DataArgs {

    @Option(names = "--data", paramLabel = "fashion-mnist|DIR|FILE",
            description = "fashion-mnist (the default: $CNNC_DATA, /usr/share/datasets/fashion-mnist, then the subset in samples/data), "
                    + "a directory with the four IDX files, an image folder (DIR/train/<class>/*.png, DIR/test/...), "
                    + "or CIFAR-10/100 binaries (a directory or the .tar.gz).")
    String data = DataLocator.FASHION_MNIST;

    @Option(names = "--val-split", paramLabel = "F",
            description = "An image folder without test/: hold out this fraction of train/ (seeded; default 0.1).")
    double valSplit = 0.1;

    @Option(names = "--no-resize", description = "Refuse images whose size differs from the model's input instead of resizing them (bilinear).")
    boolean noResize;

    @Option(names = "--no-convert", description = "Refuse grayscale images for a colour model and colour images for a grayscale one.")
    boolean noConvert;

    @Option(names = "--skip-bad", description = "Leave out (and count) files of an image folder that are not readable images, instead of stopping.")
    boolean skipBad;

    @Option(names = "--cache", paramLabel = "DIR", description = "Where decoded image folders are cached (default: $CNNC_CACHE, else ~/.cache/cnnc).")
    java.nio.file.Path cache;

    @Option(names = "--cifar-labels", paramLabel = "fine|coarse", description = "CIFAR-100: the 100 fine labels (default) or the 20 coarse ones.")
    String cifarLabels = "fine";

    /** The --data value as given. */
    public String spec() {
        return data;
    }

    /** The four IDX files; not finding them is the user's error. */
    public DataFiles locate() {
        try {
            return DataLocator.locate(data);
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** The training set, its labels one-hot over the model's classes. */
    public static Dataset train(DataFiles files, Model model) {
        return read(files, model, true);
    }

    /** The test set. */
    public static Dataset test(DataFiles files, Model model) {
        return read(files, model, false);
    }

    private static Dataset read(DataFiles files, Model model, boolean train) {
        int classes = classes(model);
        Dataset d;
        try {
            d = train ? files.train(classes) : files.test(classes);
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot read the " + (train ? "training" : "test") + " set in " + files.dir() + ": " + e.getMessage());
        }
        Buffer x = model.input();
        if (x.shape().perSample() != d.pixels()) {
            throw new UserError(model.name() + "'s input " + x.name() + " takes " + shape(x) + " images, but the data in "
                    + files.dir() + " has " + d.channels() + "x" + d.height() + "x" + d.width());
        }
        return d;
    }

    /** The model's classes: its target must be {@code K} (that is {@code K x 1 x 1}) for labeled images. */
    static int classes(Model model) {
        Buffer z = model.target();
        if (z == null || z.shape().h() != 1 || z.shape().w() != 1) {
            throw new UserError(model.name() + " cannot learn from labeled images: its target "
                    + (z == null ? "is missing" : z.name() + " is " + shape(z) + ", not K (one value per class)"));
        }
        return z.shape().c();
    }

    private static String shape(Buffer b) {
        var d = b.shape().dims();
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < d.size(); i++) {
            s.append(i == 1 ? "" : "x").append(d.get(i));
        }
        return s.toString();
    }
}
