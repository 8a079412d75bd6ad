package cnnc.spark;

import cnnc.runtime.Rng;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Idx;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One partition of the training set: the images whose positions in a seeded permutation of the
 * whole set fall in this partition's contiguous range ({@link #ids}). Partition {@code p} of
 * {@code P} over {@code N} images holds permutation positions {@code [p·N/P, (p+1)·N/P)}, so the
 * partitions depend only on the seed, N and P, never on the cluster. Built on an executor from
 * the IDX files and cached there; a lost one is read again (Spark's lineage).
 */
public final class Shard implements Serializable {

    private static final long serialVersionUID = 1L;

    final int partition;
    /** Global image index of every local image, in local order. */
    final int[] ids;
    private final float[] images;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    private transient Dataset data;
    private transient int orderEpoch = -1;
    private transient int[] order;

    private Shard(int partition, int[] ids, float[] images, int[] labels, int[] chw, int classes) {
        this.partition = partition;
        this.ids = ids;
        this.images = images;
        this.labels = labels;
        this.channels = chw[0];
        this.height = chw[1];
        this.width = chw[2];
        this.classes = classes;
    }

    /** The global image indices of partition {@code p} of {@code partitions} over {@code n} images. */
    public static int[] ids(long seed, int n, int partitions, int p) {
        int[] perm = Rng.stream(seed, "spark/partitions").permutation(n);
        int from = (int) ((long) p * n / partitions);
        int to = (int) ((long) (p + 1) * n / partitions);
        return Arrays.copyOfRange(perm, from, to);
    }

    /** Reads partition {@code p}'s images of the training set (or the test set). */
    public static Shard load(IdxSource source, boolean train, long seed, int partitions, int p, int classes) {
        try {
            Idx.Array img = source.images(train);
            Idx.Array lab = source.labels(train);
            int[] d = img.dims();
            if ((d.length != 3 && d.length != 4) || lab.dims().length != 1 || lab.dims()[0] != d[0]) {
                throw new IOException("images " + Arrays.toString(d) + " and labels " + Arrays.toString(lab.dims())
                        + " in " + source.where() + " do not match");
            }
            int[] chw = {d.length == 4 ? d[1] : 1, d[d.length - 2], d[d.length - 1]};
            int px = chw[0] * chw[1] * chw[2];
            int[] ids = ids(seed, d[0], partitions, p);
            float[] images = new float[ids.length * px];
            int[] labels = new int[ids.length];
            byte[] raw = img.data();
            for (int i = 0; i < ids.length; i++) {
                int g = ids[i];
                for (int q = 0; q < px; q++) {
                    images[i * px + q] = (raw[g * px + q] & 0xFF) / 255f;
                }
                labels[i] = lab.data()[g] & 0xFF;
            }
            return new Shard(p, ids, images, labels, chw, classes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This partition's images as a data set (local indices). */
    public Dataset data() {
        if (data == null) {
            data = new Dataset("partition " + partition, images, labels, channels, height, width, classes);
        }
        return data;
    }

    public int size() {
        return ids.length;
    }

    /**
     * The local order of epoch {@code e}: a permutation from the stream
     * {@code spark/shuffle/<e>/<partition>}; step {@code s} takes positions {@code [s·b, (s+1)·b)}.
     */
    public int[] order(long seed, int epoch) {
        if (order == null || orderEpoch != epoch) { // transient: null after a remote read of a cached shard
            order = localOrder(seed, epoch, partition, ids.length);
            orderEpoch = epoch;
        }
        return order;
    }

    static int[] localOrder(long seed, int epoch, int partition, int n) {
        return Rng.stream(seed, "spark/shuffle/" + epoch + "/" + partition).permutation(n);
    }

    /**
     * The global batches of epoch {@code e} as one single-machine order: batch {@code s} is
     * positions {@code [s·B, (s+1)·B)}, partition {@code p}'s share at {@code s·B + p·b}.
     * Training one network of batch {@code B} in this order is what the partitions do together.
     */
    public static int[] globalOrder(long seed, int epoch, int n, int partitions, int share) {
        int[][] ids = new int[partitions][];
        int[][] local = new int[partitions][];
        int steps = Integer.MAX_VALUE;
        for (int p = 0; p < partitions; p++) {
            ids[p] = ids(seed, n, partitions, p);
            local[p] = localOrder(seed, epoch, p, ids[p].length);
            steps = Math.min(steps, ids[p].length / share);
        }
        int[] order = new int[steps * partitions * share];
        int k = 0;
        for (int s = 0; s < steps; s++) {
            for (int p = 0; p < partitions; p++) {
                for (int r = 0; r < share; r++) {
                    order[k++] = ids[p][local[p][s * share + r]];
                }
            }
        }
        return order;
    }
}
