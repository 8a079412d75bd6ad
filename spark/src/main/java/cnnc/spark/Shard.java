package cnnc.spark;

import cnnc.runtime.Rng;
import cnnc.runtime.data.Dataset;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One partition of the training set: the images whose positions in a seeded permutation of the
 * whole set fall in this partition's contiguous range ({@link #ids}). Partition {@code p} of
 * {@code P} over {@code N} images holds permutation positions {@code [p·N/P, (p+1)·N/P)}, so the
 * partitions depend only on the seed, N and P, never on the cluster. Built on an executor from
 * its {@link ImageSource} (only this partition's images are decoded) and cached there as bytes; a
 * lost one is read again (Spark's lineage).
 */
public final class Shard implements Serializable {

    private static final long serialVersionUID = 1L;

    final int partition;
    /** Global image index of every local image, in local order. */
    final int[] ids;
    private final ImageSource.Part part;
    private final int classes;
    private transient Dataset data;
    private transient int orderEpoch = -1;
    private transient int[] order;

    private Shard(int partition, ImageSource.Part part, int classes) {
        this.partition = partition;
        this.ids = part.ids();
        this.part = part;
        this.classes = classes;
    }

    /** The global image indices of partition {@code p} of {@code partitions} over {@code n} images. */
    public static int[] ids(long seed, int n, int partitions, int p) {
        int[] perm = Rng.stream(seed, "spark/partitions").permutation(n);
        int from = (int) ((long) p * n / partitions);
        int to = (int) ((long) (p + 1) * n / partitions);
        return Arrays.copyOfRange(perm, from, to);
    }

    /** Reads partition {@code p}'s images of the training set (or the test set), decoded as on one machine. */
    public static Shard load(ImageSource source, boolean train, long seed, int partitions, int p, int classes) {
        try {
            ImageSource.Part part = source.read(train, n -> ids(seed, n, partitions, p));
            for (int i = 0; i < part.size(); i++) {
                if (part.labels()[i] >= classes) {
                    throw new IOException(source.where() + ": label " + part.labels()[i] + " of image " + part.ids()[i]
                            + " is not below " + classes);
                }
            }
            return new Shard(p, part, classes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This partition's images as a data set (local indices), bytes read as {@code b / 255} by {@link Dataset}. */
    public Dataset data() {
        if (data == null) {
            data = part.dataset("partition " + partition, classes);
        }
        return data;
    }

    /** Files left out by {@code --skip-bad} because they could not be decoded. */
    public java.util.List<String> skipped() {
        return part.skipped();
    }

    /**
     * Exact sums for measuring the normalization: {@code {Σ b, Σ b², {values per channel}}}, the sums
     * per channel over this partition's stored bytes, as longs, so partitions add up in any order
     * to the same totals.
     */
    public long[][] channelSums() {
        int c = part.channels();
        int plane = part.height() * part.width();
        long[][] s = {new long[c], new long[c], {(long) part.size() * plane}};
        byte[] px = part.pixels();
        for (int i = 0; i < part.size(); i++) {
            for (int k = 0; k < c; k++) {
                int base = (i * c + k) * plane;
                long sum = 0;
                long sq = 0;
                for (int q = 0; q < plane; q++) {
                    int v = px[base + q] & 0xFF;
                    sum += v;
                    sq += v * v;
                }
                s[0][k] += sum;
                s[1][k] += sq;
            }
        }
        return s;
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
