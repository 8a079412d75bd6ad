package cnnc.spark;

import cnnc.runtime.data.Cifar;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;

/**
 * CIFAR-10/100 binaries (a folder, or the distributed tar file) that any JVM of the job reads with
 * the runtime's {@link Cifar#read}: local paths directly, other file systems through a temporary
 * copy. Each executor reads the files and keeps only its own images, converted to the model's input
 * by {@link Images#convert} when it is not 3x32x32 (as {@code cnnc train} converts them).
 */
public final class CifarSource implements ImageSource {

    private static final long serialVersionUID = 1L;

    private final String spec;
    private final boolean fine;
    private final String kind;
    private final List<String> classes;
    private final int channels;
    private final int height;
    private final int width;
    private final boolean resize;
    private final boolean convert;

    private CifarSource(String spec, boolean fine, String kind, List<String> classes, int[] chw, Images.Policy policy) {
        this.spec = spec;
        this.fine = fine;
        this.kind = kind;
        this.classes = classes;
        this.channels = chw[0];
        this.height = chw[1];
        this.width = chw[2];
        this.resize = policy.resize();
        this.convert = policy.convertChannels();
    }

    /** Whether {@code spec} (a local path or a URI) looks like CIFAR binaries: a tar file or a folder with the batch files. */
    public static boolean looksLike(String spec) throws IOException {
        if (!HadoopFiles.hasScheme(spec)) {
            return Files.exists(Path.of(spec)) && Cifar.looksLike(Path.of(spec));
        }
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(spec);
        FileSystem fs = HadoopFiles.fileSystem(p);
        if (!fs.exists(p)) {
            return false;
        }
        if (fs.getFileStatus(p).isFile()) {
            return tar(spec);
        }
        for (String sub : new String[] {"", "cifar-10-batches-bin/", "cifar-100-binary/"}) {
            for (String f : new String[] {"data_batch_1.bin", "train.bin"}) {
                if (fs.exists(new org.apache.hadoop.fs.Path(p, sub + f))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean tar(String name) {
        return name.endsWith(".tar.gz") || name.endsWith(".tgz") || name.endsWith(".tar");
    }

    /**
     * Reads the files once here, for the kind and class names (the driver evaluates the test set
     * anyway), and checks that they are CIFAR binaries.
     */
    public static CifarSource open(String spec, boolean fine, int[] chw, Images.Policy policy) throws IOException {
        Cifar.Data d = load(spec, fine);
        return new CifarSource(spec, fine, d.kind(), List.copyOf(d.classes()), chw, policy);
    }

    @Override
    public String where() {
        return spec;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public List<String> classNames() {
        return classes;
    }

    @Override
    public Part read(boolean train, IntFunction<int[]> which) throws IOException {
        Cifar.Data data = load(spec, fine);
        Dataset d = train ? data.train() : data.test();
        int[] ids = which.apply(d.size());
        int px = channels * height * width;
        byte[] pixels = new byte[Math.toIntExact((long) ids.length * px)];
        int[] labels = new int[ids.length];
        byte[] one = new byte[d.pixels()];
        Images.Policy policy = new Images.Policy(resize, convert);
        boolean same = d.channels() == channels && d.height() == height && d.width() == width;
        for (int i = 0; i < ids.length; i++) {
            for (int k = 0; k < one.length; k++) {
                one[k] = (byte) Math.round(d.pixel(ids[i], k) * 255f); // the stored byte: pixels are byte / 255
            }
            byte[] b = same ? one : Images.convert(one, d.channels(), d.height(), d.width(), channels, height, width, policy,
                    spec + " image " + ids[i]);
            System.arraycopy(b, 0, pixels, i * px, px);
            labels[i] = d.label(ids[i]);
        }
        return new Part(ids, pixels, labels, channels, height, width, List.of());
    }

    /** {@link Cifar#read} on the local path, or on a temporary copy of a file or folder elsewhere. */
    private static Cifar.Data load(String spec, boolean fine) throws IOException {
        if (!HadoopFiles.hasScheme(spec)) {
            return Cifar.read(Path.of(spec), fine);
        }
        Path local = HadoopFiles.localOrNull(spec);
        if (local != null) {
            return Cifar.read(local, fine);
        }
        if (tar(spec)) {
            Path tmp = HadoopFiles.copyToTemp(spec, spec.substring(spec.lastIndexOf('.')));
            try {
                return Cifar.read(tmp, fine);
            } catch (IOException e) {
                throw HadoopFiles.renamed(e, tmp, spec);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        Path tmp = Files.createTempDirectory("cnnc-cifar-");
        try {
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(spec);
            Configuration conf = new Configuration();
            FileSystem fs = src.getFileSystem(conf);
            Path copy = tmp.resolve("cifar");
            FileUtil.copy(fs, src, FileSystem.getLocal(conf), new org.apache.hadoop.fs.Path(copy.toUri()), false, conf);
            return Cifar.read(copy, fine);
        } catch (IOException e) {
            throw HadoopFiles.renamed(e, tmp.resolve("cifar"), spec);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
