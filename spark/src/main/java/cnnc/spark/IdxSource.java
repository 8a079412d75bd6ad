package cnnc.spark;

import cnnc.runtime.data.DataFiles;
import cnnc.runtime.data.DataLocator;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where the four IDX files of a data set are, as URIs any JVM of the job can read: local paths
 * ({@code --data fashion-mnist} or a directory, found on the driver as {@code cnnc train} finds
 * them) or any Hadoop file system URI ({@code file:}, {@code hdfs:}, {@code s3a:}). Executors read
 * the files themselves; the driver never holds the training images.
 */
public final class IdxSource implements ImageSource {

    private static final long serialVersionUID = 1L;

    /** Standard names, as {@link DataLocator} accepts them (each optionally gzipped). */
    private static final String[] BASES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte"};

    private final String where;
    private final String[] uris;

    private IdxSource(String where, String[] uris) {
        this.where = where;
        this.uris = uris;
    }

    /**
     * Finds the files: {@code spec} with a URI scheme ({@code hdfs://nn/data}, {@code file:/d}) is
     * a directory on that file system; anything else is what {@code --data} takes on one machine.
     *
     * @throws IOException saying what is missing where
     */
    public static IdxSource locate(String spec) throws IOException {
        if (!HadoopFiles.hasScheme(spec)) {
            DataFiles f = DataLocator.locate(spec);
            return new IdxSource(f.dir().toString(), new String[] {HadoopFiles.uri(f.trainImages()), HadoopFiles.uri(f.trainLabels()),
                    HadoopFiles.uri(f.testImages()), HadoopFiles.uri(f.testLabels())});
        }
        String dir = spec.endsWith("/") ? spec : spec + "/";
        org.apache.hadoop.fs.Path d = new org.apache.hadoop.fs.Path(dir);
        FileSystem fs = HadoopFiles.fileSystem(d);
        if (!fs.exists(d)) {
            throw new IOException(spec + ": no such directory");
        }
        String[] found = new String[BASES.length];
        for (int i = 0; i < BASES.length; i++) {
            String dotted = BASES[i].replaceFirst("-idx", ".idx");
            for (String name : new String[] {BASES[i], BASES[i] + ".gz", dotted, dotted + ".gz"}) {
                org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir + name);
                if (fs.exists(p)) {
                    found[i] = p.toString();
                    break;
                }
            }
            if (found[i] == null) {
                throw new IOException(spec + " has no " + BASES[i] + "[.gz]");
            }
        }
        return new IdxSource(spec, found);
    }

    @Override
    public String where() {
        return where;
    }

    @Override
    public String kind() {
        return "IDX";
    }

    /** Images of the training ({@code train true}) or test set. */
    public Idx.Array images(boolean train) throws IOException {
        return read(uris[train ? 0 : 2]);
    }

    /** Labels of the training or test set. */
    public Idx.Array labels(boolean train) throws IOException {
        return read(uris[train ? 1 : 3]);
    }

    @Override
    public Part read(boolean train, IntFunction<int[]> which) throws IOException {
        Idx.Array img = images(train);
        Idx.Array lab = labels(train);
        int[] d = img.dims();
        if ((d.length != 3 && d.length != 4) || lab.dims().length != 1 || lab.dims()[0] != d[0]) {
            throw new IOException("the " + (train ? "training" : "test") + " images " + Arrays.toString(d) + " and labels "
                    + Arrays.toString(lab.dims()) + " in " + where + " do not match");
        }
        int c = d.length == 4 ? d[1] : 1;
        int h = d[d.length - 2];
        int w = d[d.length - 1];
        int px = c * h * w;
        int[] ids = which.apply(d[0]);
        byte[] pixels = new byte[Math.toIntExact((long) ids.length * px)];
        int[] labels = new int[ids.length];
        byte[] raw = img.data();
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(raw, ids[i] * px, pixels, i * px, px);
            labels[i] = lab.data()[ids[i]] & 0xFF;
        }
        return new Part(ids, pixels, labels, c, h, w, List.of());
    }

    /** The whole training or test set in file order, on this JVM (the driver evaluates the test set). */
    public Dataset dataset(boolean train, int classes) throws IOException {
        Part all = readAll(train);
        for (int i = 0; i < all.labels().length; i++) {
            if (all.labels()[i] >= classes) {
                throw new IOException(where + ": label " + all.labels()[i] + " of image " + i + " is not below " + classes);
            }
        }
        return all.dataset(where, classes);
    }

    /** Reads one file: directly when local, else copied from its file system to a temporary file first. */
    private static Idx.Array read(String uri) throws IOException {
        Path local = HadoopFiles.localOrNull(uri);
        if (local != null) {
            return Idx.read(local);
        }
        Path tmp = HadoopFiles.copyToTemp(uri, ".idx");
        try {
            return Idx.read(tmp);
        } catch (IOException e) {
            throw HadoopFiles.renamed(e, tmp, uri);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
