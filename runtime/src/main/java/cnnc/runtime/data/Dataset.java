package cnnc.runtime.data;

import cnnc.runtime.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Labelled images in memory: pixels as floats in [0, 1] (byte / 255), one int label per image in
 * {@code [0, classes)}, each image {@code channels x height x width} in row-major order. Fills a
 * network's input and target buffers a batch at a time, with one-hot targets. Immutable.
 */
public final class Dataset {

    private final String name;
    private final float[] images;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    /**
     * @param images {@code labels.length * channels * height * width} pixels (not copied)
     * @param labels one per image, each in {@code [0, classes)} (not copied)
     */
    public Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int classes) {
        int pixels = channels * height * width;
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException(name + ": dimensions and class count must be positive");
        }
        if ((long) labels.length * pixels != images.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need "
                    + (long) labels.length * pixels + " pixels, got " + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i
                        + " is outside [0, " + classes + ")");
            }
        }
        this.name = name;
        this.images = images;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

    /**
     * Reads an IDX image file ({@code [N, H, W]}, one channel, or {@code [N, C, H, W]}) and an IDX
     * label file ({@code [N]}).
     *
     * @throws IOException naming the file on any format problem or count mismatch
     */
    public static Dataset fromIdx(Path imageFile, Path labelFile, int classes) throws IOException {
        Idx.Array img = Idx.read(imageFile);
        Idx.Array lab = Idx.read(labelFile);
        int[] d = img.dims();
        if (d.length != 3 && d.length != 4) {
            throw new IOException(imageFile + ": images must be IDX [N, H, W] or [N, C, H, W], got " + Arrays.toString(d));
        }
        if (lab.dims().length != 1 || lab.dims()[0] != d[0]) {
            throw new IOException(labelFile + ": expected " + d[0] + " labels (IDX [" + d[0] + "]) for "
                    + imageFile.getFileName() + ", got " + Arrays.toString(lab.dims()));
        }
        byte[] px = img.data();
        float[] images = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            images[i] = (px[i] & 0xFF) / 255f;
        }
        int[] labels = new int[d[0]];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = lab.data()[i] & 0xFF;
            if (labels[i] >= classes) {
                throw new IOException(labelFile + ": label " + labels[i] + " of image " + i + " is not below "
                        + classes + " (the number of classes)");
            }
        }
        int c = d.length == 4 ? d[1] : 1;
        return new Dataset(imageFile.getFileName().toString(), images, labels, c, d[d.length - 2], d[d.length - 1],
                classes);
    }

    /** The first {@code n} images (or all, if fewer). */
    public Dataset head(int n) {
        int k = Math.min(n, size());
        return new Dataset(name, Arrays.copyOf(images, k * pixels()), Arrays.copyOf(labels, k), channels, height,
                width, classes);
    }

    public String name() {
        return name;
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    public int classes() {
        return classes;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Values per image: channels * height * width. */
    public int pixels() {
        return channels * height * width;
    }

    /** The label of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** Pixel {@code p} of image {@code i}, in [0, 1]. */
    public float pixel(int i, int p) {
        return images[i * pixels() + p];
    }

    /**
     * The image order of one epoch: a permutation drawn from the stream
     * {@code Rng.stream(seed, "shuffle/" + epoch)}, so it depends only on seed and epoch (a resumed
     * run shuffles as the uninterrupted one would have).
     */
    public int[] order(long seed, int epoch) {
        return Rng.stream(seed, "shuffle/" + epoch).permutation(size());
    }

    /**
     * Copies {@code count} images, {@code order[from] .. order[from+count-1]}, into the first rows
     * of {@code input} and their one-hot labels into {@code target}. Rows past {@code count} (a
     * padded last batch) are zeroed: zero input and an all-zero target, which adds nothing to a
     * cross-entropy sum; callers ignore those rows' outputs.
     *
     * @param input  {@code batch * pixels()} floats, {@code batch} being the network's batch size
     * @param target {@code batch * classes()} floats, or {@code null} to leave targets alone
     */
    public void fill(int[] order, int from, int count, float[] input, float[] target) {
        int px = pixels();
        int batch = input.length / px;
        if (input.length % px != 0 || count > batch || (target != null && target.length != batch * classes)) {
            throw new IllegalArgumentException("batch buffers do not fit " + count + " images of " + px
                    + " pixels and " + classes + " classes");
        }
        for (int r = 0; r < count; r++) {
            System.arraycopy(images, order[from + r] * px, input, r * px, px);
        }
        Arrays.fill(input, count * px, input.length, 0f);
        if (target != null) {
            Arrays.fill(target, 0f);
            for (int r = 0; r < count; r++) {
                target[r * classes + labels[order[from + r]]] = 1f;
            }
        }
    }

    /** The identity order 0..size()-1, for evaluation. */
    public int[] identity() {
        int[] a = new int[size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }
}
