package cnnc.spark;

import cnnc.runtime.data.DataFiles;
import cnnc.runtime.data.DataLocator;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Idx;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where the four IDX files of a data set are, as URIs any JVM of the job can read: local paths
 * ({@code --data fashion-mnist} or a directory, found on the driver as {@code cnnc train} finds
 * them) or any Hadoop file system URI ({@code file:}, {@code hdfs:}, {@code s3a:}). Executors read
 * the files themselves; the driver never holds the training images.
 */
public final class IdxSource implements Serializable {

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
        if (!hasScheme(spec)) {
            DataFiles f = DataLocator.locate(spec);
            return new IdxSource(f.dir().toString(), new String[] {uri(f.trainImages()), uri(f.trainLabels()),
                    uri(f.testImages()), uri(f.testLabels())});
        }
        String dir = spec.endsWith("/") ? spec : spec + "/";
        org.apache.hadoop.fs.Path d = new org.apache.hadoop.fs.Path(dir);
        FileSystem fs = fileSystem(d);
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

    private static boolean hasScheme(String spec) {
        int colon = spec.indexOf(':');
        return colon > 1 && spec.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
    }

    private static String uri(Path p) {
        return p.toAbsolutePath().toUri().toString();
    }

    private static FileSystem fileSystem(org.apache.hadoop.fs.Path p) throws IOException {
        return p.getFileSystem(new Configuration());
    }

    /** The directory or URI the user gave, for messages. */
    public String where() {
        return where;
    }

    /** Images of the training ({@code train true}) or test set. */
    public Idx.Array images(boolean train) throws IOException {
        return read(uris[train ? 0 : 2]);
    }

    /** Labels of the training or test set. */
    public Idx.Array labels(boolean train) throws IOException {
        return read(uris[train ? 1 : 3]);
    }

    /** The whole training or test set in file order, on this JVM (the driver evaluates the test set). */
    public Dataset dataset(boolean train, int classes) throws IOException {
        Idx.Array img = images(train);
        Idx.Array lab = labels(train);
        int[] d = img.dims();
        if ((d.length != 3 && d.length != 4) || lab.dims().length != 1 || lab.dims()[0] != d[0]) {
            throw new IOException("the " + (train ? "training" : "test") + " images " + java.util.Arrays.toString(d)
                    + " and labels " + java.util.Arrays.toString(lab.dims()) + " in " + where + " do not match");
        }
        byte[] raw = img.data();
        float[] images = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            images[i] = (raw[i] & 0xFF) / 255f;
        }
        int[] labels = new int[d[0]];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = lab.data()[i] & 0xFF;
            if (labels[i] >= classes) {
                throw new IOException(where + ": label " + labels[i] + " of image " + i + " is not below " + classes);
            }
        }
        return new Dataset(where, images, labels, d.length == 4 ? d[1] : 1, d[d.length - 2], d[d.length - 1], classes);
    }

    /** Reads one file: directly when local, else copied from its file system to a temporary file first. */
    private static Idx.Array read(String uri) throws IOException {
        URI u = URI.create(uri);
        if ("file".equals(u.getScheme())) {
            return Idx.read(Path.of(u));
        }
        Path tmp = Files.createTempFile("cnnc-idx-", ".idx");
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
            try (InputStream in = fileSystem(p).open(p)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return Idx.read(tmp);
        } catch (IOException e) {
            throw new IOException(uri + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
