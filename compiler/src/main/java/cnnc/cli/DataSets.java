package cnnc.cli;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.runtime.Rng;
import cnnc.runtime.data.Cifar;
import cnnc.runtime.data.DataFiles;
import cnnc.runtime.data.DataLocator;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.ImageCache;
import cnnc.runtime.data.ImageFolder;
import cnnc.runtime.data.Images;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code --data} names, read and fitted to a model: IDX files (Fashion-MNIST), an image folder
 * (decoded once into {@link ImageCache}), or CIFAR-10/100 binaries. Class count and input shape are
 * checked against the model; a problem is a {@link UserError} naming the file.
 */
final class DataSets {

    /**
     * Both splits. {@code testName} says what the test split is ("test", or the held-out part of
     * train/); {@code inputs} the files and folders read (so no output lands on them).
     */
    record Loaded(String kind, String where, Dataset train, Dataset test, String testName, List<String> notes,
                  double decodeImagesPerSecond, int decoded, Path inputDir) {}

    /** Fashion-MNIST's class names, by label (github.com/zalandoresearch/fashion-mnist). */
    static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
            "Bag", "Ankle boot");

    private DataSets() {}

    /** Reads both splits for {@code model}; {@code seed} draws an image folder's validation split. */
    static Loaded load(DataArgs args, Model model, long seed, int threads) {
        int classes = DataArgs.classes(model);
        Buffer x = model.input();
        int c = x.shape().c();
        int h = x.shape().h();
        int w = x.shape().w();
        Images.Policy policy = new Images.Policy(!args.noResize, !args.noConvert);
        String spec = args.spec();
        Path p = Path.of(spec);
        try {
            if (!spec.equals(DataLocator.FASHION_MNIST) && Files.isDirectory(p) && ImageFolder.looksLike(p)) {
                return folder(args, p, classes, c, h, w, policy, seed, threads);
            }
            if (!spec.equals(DataLocator.FASHION_MNIST) && Files.exists(p) && Cifar.looksLike(p)) {
                return cifar(args, p, classes, c, h, w, policy);
            }
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        if (!spec.equals(DataLocator.FASHION_MNIST) && Files.isRegularFile(p)) {
            throw new UserError("--data " + spec + ": a file, but not a CIFAR tar file (.tar.gz, .tgz or .tar); pass a directory "
                    + "with IDX files, an image folder (DIR/train/<class>/...) or CIFAR binaries");
        }
        DataFiles files = args.locate();
        Dataset train = DataArgs.train(files, model);
        Dataset test = DataArgs.test(files, model);
        if (spec.equals(DataLocator.FASHION_MNIST) && classes == FASHION.size()) {
            train = train.withClassNames(FASHION);
            test = test.withClassNames(FASHION);
        }
        return new Loaded("IDX", files.dir().toString(), train, test, "test", List.of(), 0, 0, files.dir());
    }

    private static Loaded folder(DataArgs args, Path dir, int classes, int c, int h, int w, Images.Policy policy, long seed,
                                 int threads) throws IOException {
        ImageFolder f = ImageFolder.scan(dir, args.skipBad);
        checkClasses(dir.toString(), f.classes(), classes);
        Path cache = args.cache != null ? args.cache : ImageCache.defaultDir();
        List<String> notes = new ArrayList<>();
        ImageCache.Loaded train = ImageCache.load(f, f.train(), c, h, w, policy, args.skipBad, cache, threads);
        note(notes, train.stats());
        double seconds = train.stats().seconds();
        int decoded = train.stats().decoded();
        Dataset trainSet = train.data();
        Dataset testSet;
        String testName = "test";
        if (f.test() != null) {
            ImageCache.Loaded test = ImageCache.load(f, f.test(), c, h, w, policy, args.skipBad, cache, threads);
            note(notes, test.stats());
            seconds += test.stats().seconds();
            decoded += test.stats().decoded();
            testSet = test.data();
        } else {
            if (!(args.valSplit > 0 && args.valSplit < 1)) {
                throw new UserError("--val-split must be between 0 and 1 (exclusive), found " + args.valSplit);
            }
            Dataset[] parts = split(trainSet, args.valSplit, seed);
            trainSet = parts[0];
            testSet = parts[1];
            testName = String.format("validation (%.0f%% of train/, seed %d; no test/ folder)", 100 * args.valSplit, seed);
        }
        if (trainSet.size() == 0) {
            throw new UserError(dir + ": no training images left");
        }
        double rate = decoded == 0 || seconds <= 0 ? 0 : decoded / seconds;
        if (decoded > 0) {
            notes.add(String.format("decoded %d images with %d threads in %.1f s (%.0f images/s) into %s", decoded, threads, seconds, rate,
                    cache));
        } else {
            notes.add("images from the cache in " + cache + " (" + trainSet.size() + " + " + testSet.size() + ")");
        }
        return new Loaded("image folder", dir.toString(), trainSet, testSet, testName, notes, rate, decoded, dir);
    }

    private static void note(List<String> notes, ImageCache.Stats s) {
        if (s.note() != null) {
            notes.add(s.note());
        }
        if (!s.skipped().isEmpty()) {
            notes.add("skipped " + s.skipped().size() + " unreadable file" + (s.skipped().size() == 1 ? "" : "s") + " (--skip-bad), e.g. "
                    + s.skipped().get(0));
        }
    }

    /**
     * Holds out {@code round(F·n)} images drawn by {@code Rng.stream(seed, "val-split")}; both parts
     * keep the folder's order.
     */
    static Dataset[] split(Dataset d, double fraction, long seed) {
        int[][] rows = splitRows(d.size(), fraction, seed);
        return new Dataset[] {d.select(rows[0]), d.select(rows[1])};
    }

    /** The rows of {@link #split}: {@code {train, validation}}, each ascending (also for Spark's image folders). */
    static int[][] splitRows(int n, double fraction, long seed) {
        int held = (int) Math.round(fraction * n);
        if (held < 1 || held >= n) {
            throw new UserError("--val-split " + fraction + " of " + n + " images leaves " + (held < 1 ? "no validation" : "no training")
                    + " images; add a test/ folder or change --val-split");
        }
        int[] perm = Rng.stream(seed, "val-split").permutation(n);
        int[] val = Arrays.copyOf(perm, held);
        int[] train = Arrays.copyOfRange(perm, held, n);
        Arrays.sort(val);
        Arrays.sort(train);
        return new int[][] {train, val};
    }

    private static Loaded cifar(DataArgs args, Path p, int classes, int c, int h, int w, Images.Policy policy) throws IOException {
        if (!args.cifarLabels.equals("fine") && !args.cifarLabels.equals("coarse")) {
            throw new UserError("--cifar-labels takes fine or coarse, found '" + args.cifarLabels + "'");
        }
        Cifar.Data d = Cifar.read(p, args.cifarLabels.equals("fine"));
        checkClasses(p + " (" + d.kind() + ")", d.classes(), classes);
        Dataset train = fit(d.train(), c, h, w, policy, p);
        Dataset test = fit(d.test(), c, h, w, policy, p);
        return new Loaded(d.kind(), p.toString(), train, test, "test", List.of(), 0, 0, p);
    }

    /** CIFAR's 3x32x32 images converted to the model's input, when it differs. */
    private static Dataset fit(Dataset d, int c, int h, int w, Images.Policy policy, Path where) throws IOException {
        if (d.channels() == c && d.height() == h && d.width() == w) {
            return d;
        }
        int px = c * h * w;
        byte[] out = new byte[Math.toIntExact((long) d.size() * px)];
        byte[] one = new byte[d.pixels()];
        int[] labels = new int[d.size()];
        for (int i = 0; i < d.size(); i++) {
            for (int k = 0; k < one.length; k++) {
                one[k] = (byte) Math.round(d.pixel(i, k) * 255f);
            }
            byte[] b = Images.convert(one, d.channels(), d.height(), d.width(), c, h, w, policy, where + " image " + i);
            System.arraycopy(b, 0, out, i * px, px);
            labels[i] = d.label(i);
        }
        return Dataset.ofBytes(d.name(), ByteBuffer.wrap(out), labels, c, h, w, d.classes()).withClassNames(d.classNames());
    }

    static void checkClasses(String where, List<String> found, int classes) {
        if (found.size() != classes) {
            String names = found.size() <= 12 ? String.join(", ", found) : String.join(", ", found.subList(0, 12)) + ", ...";
            throw new UserError(where + " has " + found.size() + " classes (" + names + "), but the model's target has " + classes
                    + "; change the target to " + found.size() + " or the data");
        }
    }
}
