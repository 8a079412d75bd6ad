package cnnc.spark;

import cnnc.runtime.data.ImageFolder;
import cnnc.runtime.data.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * An image folder ({@code DIR/train/<class>/*.png}, {@code DIR/test/...}, as {@link ImageFolder}
 * lays it out) whose files any JVM of the job reads: the driver lists the files (names only), each
 * executor reads and decodes its own images with the runtime's {@link Images#read} and
 * {@link Images#toBytes} (conversion and bilinear resize to the model's input as on one machine).
 * A local folder is listed by {@link ImageFolder#scan} itself; a folder on another file system by
 * the same rules (class folders and files sorted, names starting with '.' ignored, only image
 * extensions). Without {@code test/}, a seeded part of {@code train/} is held out as
 * {@code cnnc train} holds it out ({@link #split}).
 */
public final class FolderSource implements ImageSource {

    private static final long serialVersionUID = 1L;

    /** One split: each image's URI and label, in the folder's order. */
    private record Listing(String[] uris, int[] labels) implements java.io.Serializable {
        Listing select(int[] rows) {
            String[] u = new String[rows.length];
            int[] l = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                u[i] = uris[rows[i]];
                l[i] = labels[rows[i]];
            }
            return new Listing(u, l);
        }
    }

    private final String where;
    private final List<String> classes;
    private final Listing train;
    private final Listing test;
    private final String testName;
    private final int channels;
    private final int height;
    private final int width;
    private final boolean resize;
    private final boolean convert;
    private final boolean skipBad;

    private FolderSource(String where, List<String> classes, Listing train, Listing test, String testName, int[] chw,
            Images.Policy policy, boolean skipBad) {
        this.where = where;
        this.classes = classes;
        this.train = train;
        this.test = test;
        this.testName = testName;
        this.channels = chw[0];
        this.height = chw[1];
        this.width = chw[2];
        this.resize = policy.resize();
        this.convert = policy.convertChannels();
        this.skipBad = skipBad;
    }

    /** Whether {@code spec} (a local path or a URI) is an image folder: it has a {@code train/} folder. */
    public static boolean looksLike(String spec) throws IOException {
        if (!HadoopFiles.hasScheme(spec)) {
            return Files.isDirectory(Path.of(spec)) && ImageFolder.looksLike(Path.of(spec));
        }
        org.apache.hadoop.fs.Path t = new org.apache.hadoop.fs.Path(dir(spec) + "train");
        FileSystem fs = HadoopFiles.fileSystem(t);
        return fs.exists(t) && fs.getFileStatus(t).isDirectory();
    }

    /**
     * Lists the folder for a model input of {@code chw} (channels, height, width).
     *
     * @throws IOException naming the folder or file that is wrong
     */
    public static FolderSource scan(String spec, int[] chw, Images.Policy policy, boolean skipBad) throws IOException {
        List<String> classes;
        Listing train;
        Listing test = null;
        if (!HadoopFiles.hasScheme(spec)) {
            ImageFolder f = ImageFolder.scan(Path.of(spec), skipBad);
            classes = f.classes();
            train = files(f.train());
            test = f.test() == null ? null : files(f.test());
        } else {
            String dir = dir(spec);
            org.apache.hadoop.fs.Path trainDir = new org.apache.hadoop.fs.Path(dir + "train");
            FileSystem fs = HadoopFiles.fileSystem(trainDir);
            if (!fs.exists(trainDir)) {
                throw new IOException(spec + ": no train/ folder (an image folder is DIR/train/<class>/*.png, DIR/test/<class>/...)");
            }
            classes = classFolders(fs, trainDir);
            if (classes.isEmpty()) {
                throw new IOException(trainDir + ": no class folders (expected train/<class>/<image files>)");
            }
            train = split(fs, trainDir, classes, skipBad);
            org.apache.hadoop.fs.Path testDir = new org.apache.hadoop.fs.Path(dir + "test");
            if (fs.exists(testDir) && fs.getFileStatus(testDir).isDirectory()) {
                for (String c : classFolders(fs, testDir)) {
                    if (!classes.contains(c)) {
                        throw new IOException(testDir + "/" + c + ": class '" + c + "' is in test/ but not in train/ (train/ has "
                                + String.join(", ", classes) + ")");
                    }
                }
                test = split(fs, testDir, classes, skipBad);
            }
        }
        return new FolderSource(spec, List.copyOf(classes), train, test, "test", chw, policy, skipBad);
    }

    /** Whether the folder has a {@code test/} split. */
    public boolean hasTest() {
        return test != null;
    }

    /** The number of images in {@code train/}. */
    public int trainSize() {
        return train.uris.length;
    }

    /**
     * The folder without {@code test/}: {@code rows[0]} of {@code train/} for training, {@code rows[1]}
     * held out for validation and called {@code testName}.
     */
    public FolderSource split(int[][] rows, String testName) {
        return new FolderSource(where, classes, train.select(rows[0]), train.select(rows[1]), testName,
                new int[] {channels, height, width}, new Images.Policy(resize, convert), skipBad);
    }

    private static String dir(String spec) {
        return spec.endsWith("/") ? spec : spec + "/";
    }

    private static Listing files(ImageFolder.Split s) {
        String[] uris = new String[s.entries().size()];
        int[] labels = new int[uris.length];
        for (int i = 0; i < uris.length; i++) {
            uris[i] = HadoopFiles.uri(s.entries().get(i).file());
            labels[i] = s.entries().get(i).label();
        }
        return new Listing(uris, labels);
    }

    private static List<String> classFolders(FileSystem fs, org.apache.hadoop.fs.Path split) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus st : fs.listStatus(split)) {
            String n = st.getPath().getName();
            if (n.startsWith(".")) {
                continue;
            }
            if (!st.isDirectory()) {
                throw new IOException(st.getPath() + ": a file directly in " + split.getName() + "/; images belong in class folders ("
                        + split.getName() + "/<class>/" + n + ")");
            }
            names.add(n);
        }
        Collections.sort(names);
        return names;
    }

    private static Listing split(FileSystem fs, org.apache.hadoop.fs.Path splitDir, List<String> classes, boolean skipBad)
            throws IOException {
        List<String> uris = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            org.apache.hadoop.fs.Path classDir = new org.apache.hadoop.fs.Path(splitDir, classes.get(label));
            if (!fs.exists(classDir)) {
                continue; // a class without test images
            }
            String prefix = fs.getFileStatus(classDir).getPath().toString() + "/";
            List<String> rel = new ArrayList<>();
            walk(fs, classDir, prefix, rel);
            Collections.sort(rel);
            int before = uris.size();
            for (String r : rel) {
                if (!Images.hasImageExtension(Path.of(r))) {
                    if (skipBad) {
                        continue;
                    }
                    throw new IOException(prefix + r + ": not an image file (an image folder holds " + String.join(", ", Images.EXTENSIONS)
                            + " files; --skip-bad leaves such files out)");
                }
                uris.add(prefix + r);
                labels.add(label);
            }
            if (uris.size() == before) {
                throw new IOException(classDir + ": empty class folder (no " + String.join(", ", Images.EXTENSIONS)
                        + " files); remove it or add images");
            }
        }
        return new Listing(uris.toArray(new String[0]), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The files under {@code d}, recursively, as paths relative to {@code prefix}; hidden names (and what is under them) left out. */
    private static void walk(FileSystem fs, org.apache.hadoop.fs.Path d, String prefix, List<String> out) throws IOException {
        for (FileStatus st : fs.listStatus(d)) {
            String full = st.getPath().toString();
            String r = full.startsWith(prefix) ? full.substring(prefix.length()) : full;
            if (hidden(r)) {
                continue;
            }
            if (st.isDirectory()) {
                walk(fs, st.getPath(), prefix, out);
            } else {
                out.add(r);
            }
        }
    }

    private static boolean hidden(String relative) {
        for (String part : relative.split("/")) {
            if (part.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String where() {
        return where;
    }

    @Override
    public String kind() {
        return "image folder";
    }

    @Override
    public String testName() {
        return testName;
    }

    @Override
    public List<String> classNames() {
        return classes;
    }

    /** The URI of image {@code i} of a split (for scoring's file column). */
    public String file(boolean isTrain, int i) {
        return (isTrain ? train : test).uris[i];
    }

    /**
     * Decodes the images {@code ids.apply(n)} one by one; with {@code skipBad} an image that cannot
     * be decoded is left out of the part (and named in {@link Part#skipped}).
     */
    @Override
    public Part read(boolean isTrain, IntFunction<int[]> which) throws IOException {
        Listing s = isTrain ? train : test;
        if (s == null) {
            throw new IOException(where + ": no test/ folder");
        }
        int[] ids = which.apply(s.uris.length);
        int px = channels * height * width;
        byte[] pixels = new byte[Math.toIntExact((long) ids.length * px)];
        int[] labels = new int[ids.length];
        int[] kept = new int[ids.length];
        List<String> skipped = new ArrayList<>();
        Images.Policy policy = new Images.Policy(resize, convert);
        int k = 0;
        for (int id : ids) {
            String uri = s.uris[id];
            byte[] b;
            try {
                b = decode(uri, policy);
            } catch (IOException e) {
                if (!skipBad) {
                    throw e;
                }
                skipped.add(e.getMessage());
                continue;
            }
            System.arraycopy(b, 0, pixels, k * px, px);
            labels[k] = s.labels[id];
            kept[k++] = id;
        }
        if (k < ids.length) {
            pixels = java.util.Arrays.copyOf(pixels, k * px);
            labels = java.util.Arrays.copyOf(labels, k);
            kept = java.util.Arrays.copyOf(kept, k);
        }
        return new Part(kept, pixels, labels, channels, height, width, skipped);
    }

    /** One file through the runtime's decoder and conversion; a remote one from a temporary copy. */
    private byte[] decode(String uri, Images.Policy policy) throws IOException {
        Path local = HadoopFiles.localOrNull(uri);
        if (local != null) {
            return Images.toBytes(Images.read(local), channels, height, width, policy, local.toString());
        }
        String name = new org.apache.hadoop.fs.Path(uri).getName();
        Path tmp = HadoopFiles.copyToTemp(uri, name.substring(Math.max(0, name.lastIndexOf('.'))));
        try {
            BufferedImage img = Images.read(tmp);
            return Images.toBytes(img, channels, height, width, policy, uri);
        } catch (IOException e) {
            throw HadoopFiles.renamed(e, tmp, uri);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
