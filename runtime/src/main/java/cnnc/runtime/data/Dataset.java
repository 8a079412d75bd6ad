package cnnc.runtime.data;

import cnnc.runtime.Rng;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Labelled images: pixels as floats in [0, 1] (byte / 255), one int label per image in
 * {@code [0, classes)}, each image {@code channels x height x width} in row-major order. Fills a
 * network's input and target buffers a batch at a time, with one-hot targets.
 *
 * <p>Pixels are held as floats or as unsigned bytes (an array or a memory-mapped cache file,
 * {@link #ofBytes}); a byte {@code b} reads as {@code (b & 0xFF) / 255f}, the same float either way.
 * A data set may carry per-channel normalization ({@link #normalized}: {@code (v - mean[c]) / std[c]},
 * applied as a batch is filled), class names, and a subset of rows ({@link #select}). Immutable:
 * those methods return new views sharing the pixels.
 */
public final class Dataset {

    private final String name;
    private final float[] images;       // or null when bytes hold the pixels
    private final ByteBuffer bytes;     // unsigned bytes, absolute reads only; or null
    private final int[] labels;         // per stored image
    private final int[] rows;           // the stored image of each row, or null for all in order
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    private final float[] mean;         // per channel, or null: no normalization
    private final float[] std;
    private final List<String> classNames;

    /**
     * @param images {@code labels.length * channels * height * width} pixels (not copied)
     * @param labels one per image, each in {@code [0, classes)} (not copied)
     */
    public Dataset(String name, float[] images, int[] labels, int channels, int height, int width, int classes) {
        this(name, images, null, labels, channels, height, width, classes);
        if ((long) labels.length * pixels() != images.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need "
                    + (long) labels.length * pixels() + " pixels, got " + images.length);
        }
    }

    private Dataset(String name, float[] images, ByteBuffer bytes, int[] labels, int channels, int height, int width,
                    int classes) {
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException(name + ": dimensions and class count must be positive");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i
                        + " is outside [0, " + classes + ")");
            }
        }
        this.name = name;
        this.images = images;
        this.bytes = bytes;
        this.labels = labels;
        this.rows = null;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.mean = null;
        this.std = null;
        this.classNames = defaultNames(classes);
    }

    private Dataset(Dataset d, int[] rows, float[] mean, float[] std, List<String> classNames) {
        this.name = d.name;
        this.images = d.images;
        this.bytes = d.bytes;
        this.labels = d.labels;
        this.rows = rows;
        this.channels = d.channels;
        this.height = d.height;
        this.width = d.width;
        this.classes = d.classes;
        this.mean = mean;
        this.std = std;
        this.classNames = classNames;
    }

    /**
     * Images as unsigned bytes, {@code labels.length * channels * height * width} of them from
     * {@code pixels}' position 0 (a heap buffer or a memory-mapped file; read with absolute gets only,
     * so threads may share it).
     */
    public static Dataset ofBytes(String name, ByteBuffer pixels, int[] labels, int channels, int height, int width,
                                  int classes) {
        long need = (long) labels.length * channels * height * width;
        if (pixels.limit() < need) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need " + need + " pixels, got "
                    + pixels.limit());
        }
        return new Dataset(name, null, pixels, labels, channels, height, width, classes);
    }

    private static List<String> defaultNames(int classes) {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            n.add(Integer.toString(i));
        }
        return Collections.unmodifiableList(n);
    }

    /** The same images normalized per channel as they are filled: {@code (v - mean[c]) / std[c]}. */
    public Dataset normalized(float[] mean, float[] std) {
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException(name + ": normalization needs " + channels + " means and standard deviations, got "
                    + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException(name + ": a standard deviation must be positive, got " + Arrays.toString(std));
            }
        }
        return new Dataset(this, rows, mean.clone(), std.clone(), classNames);
    }

    /** The same images with these class names (one per class). */
    public Dataset withClassNames(List<String> names) {
        if (names.size() != classes) {
            throw new IllegalArgumentException(name + ": " + classes + " classes but " + names.size() + " names");
        }
        return new Dataset(this, rows, mean, std, List.copyOf(names));
    }

    /** The rows {@code which[0], which[1], ...} of this data set, in that order. */
    public Dataset select(int[] which) {
        int[] r = new int[which.length];
        for (int i = 0; i < which.length; i++) {
            if (which[i] < 0 || which[i] >= size()) {
                throw new IllegalArgumentException(name + ": row " + which[i] + " is outside [0, " + size() + ")");
            }
            r[i] = stored(which[i]);
        }
        return new Dataset(this, r, mean, std, classNames);
    }

    /** The class names, {@code "0" .. "K-1"} unless given. */
    public List<String> classNames() {
        return classNames;
    }

    /** The per-channel means of the normalization, or null without one. */
    public float[] mean() {
        return mean == null ? null : mean.clone();
    }

    /** The per-channel standard deviations of the normalization, or null without one. */
    public float[] std() {
        return std == null ? null : std.clone();
    }

    /**
     * The mean and (population) standard deviation of each channel's raw pixels in [0, 1] over every
     * image, summed in double in image order: {@code {mean[], std[]}}.
     */
    public float[][] measureMeanStd() {
        double[] sum = new double[channels];
        double[] sq = new double[channels];
        int plane = height * width;
        for (int i = 0; i < size(); i++) {
            long base = (long) stored(i) * pixels();
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    double v = raw(base + (long) c * plane + p);
                    sum[c] += v;
                    sq[c] += v * v;
                }
            }
        }
        float[] m = new float[channels];
        float[] s = new float[channels];
        double n = Math.max(1.0, (double) size() * plane);
        for (int c = 0; c < channels; c++) {
            double mu = sum[c] / n;
            m[c] = (float) mu;
            s[c] = (float) Math.sqrt(Math.max(0, sq[c] / n - mu * mu));
        }
        return new float[][] {m, s};
    }

    private int stored(int row) {
        return rows == null ? row : rows[row];
    }

    private float raw(long index) {
        return images != null ? images[(int) index] : unit(bytes.get((int) index));
    }

    /**
     * A stored byte as the network sees it before normalization, {@code b / 255}: the one
     * definition for training (this class) and inference ({@link Preprocessing#input(byte[])}),
     * which must agree bit for bit.
     */
    static float unit(byte b) {
        return (b & 0xFF) / 255f;
    }

    /** Per-channel normalization {@code (v - mean[c]) / std[c]}, for training and inference alike. */
    static float normalize(float v, float mean, float std) {
        return (v - mean) / std;
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
            images[i] = unit(px[i]);
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
        int[] first = new int[k];
        for (int i = 0; i < k; i++) {
            first[i] = i;
        }
        return select(first);
    }

    public String name() {
        return name;
    }

    /** Number of images. */
    public int size() {
        return rows == null ? labels.length : rows.length;
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
        return labels[stored(i)];
    }

    /** Pixel {@code p} of image {@code i}, in [0, 1] (before normalization). */
    public float pixel(int i, int p) {
        return raw((long) stored(i) * pixels() + p);
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
     * of {@code input} (normalized if this data set is) and their one-hot labels into {@code target}.
     * Rows past {@code count} (a padded last batch) are zeroed: zero input and an all-zero target,
     * which adds nothing to a cross-entropy sum; callers ignore those rows' outputs.
     *
     * @param input  {@code batch * pixels()} floats, {@code batch} being the network's batch size
     * @param target {@code batch * classes()} floats, or {@code null} to leave targets alone
     */
    public void fill(int[] order, int from, int count, float[] input, float[] target) {
        fill(order, from, count, input, target, Augment.NONE, 0, 0);
    }

    /**
     * As {@link #fill(int[], int, int, float[], float[])}, each image augmented with its own draw
     * {@code augment.draw(seed, epoch, index)} (training only).
     */
    public void fill(int[] order, int from, int count, float[] input, float[] target, Augment augment, long seed, int epoch) {
        fill(order, from, count, input, target, augment, seed, epoch, null);
    }

    /**
     * As {@link #fill(int[], int, int, float[], float[], Augment, long, int)}, row {@code i}'s draw
     * keyed by {@code drawIds[i]} instead of {@code i}: a part of a larger data set (a partition of
     * distributed training) augments each image as the whole set would, by its index there.
     *
     * @param drawIds the index of every row in the whole data set, or null for the rows' own indices
     */
    public void fill(int[] order, int from, int count, float[] input, float[] target, Augment augment, long seed, int epoch,
                     int[] drawIds) {
        int px = pixels();
        int batch = input.length / px;
        if (input.length % px != 0 || count > batch || (target != null && target.length != batch * classes)) {
            throw new IllegalArgumentException("batch buffers do not fit " + count + " images of " + px
                    + " pixels and " + classes + " classes");
        }
        for (int r = 0; r < count; r++) {
            int i = order[from + r];
            Augment.Draw d = augment.active() ? augment.draw(seed, epoch, drawIds == null ? i : drawIds[i]) : Augment.Draw.NONE;
            copyRow(i, d, input, r * px);
        }
        Arrays.fill(input, count * px, input.length, 0f);
        if (target != null) {
            Arrays.fill(target, 0f);
            for (int r = 0; r < count; r++) {
                target[r * classes + label(order[from + r])] = 1f;
            }
        }
    }

    /** Image {@code i} through draw {@code d} and the normalization into {@code dst[off ..]}. */
    private void copyRow(int i, Augment.Draw d, float[] dst, int off) {
        int px = pixels();
        long base = (long) stored(i) * px;
        if (images != null && mean == null && d.identity()) {
            System.arraycopy(images, (int) base, dst, off, px);
            return;
        }
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            long src = base + (long) c * plane;
            int out = off + c * plane;
            float m = mean == null ? 0f : mean[c];
            float s = mean == null ? 1f : std[c];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int at = d.identity() ? y * width + x : d.source(y, x, height, width);
                    float v = at < 0 ? 0f : raw(src + at);
                    dst[out + y * width + x] = mean == null ? v : normalize(v, m, s);
                }
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
