package cnnc.cli;

import cnnc.backend.java.JavaBackend;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.runtime.data.DataLocator;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Images;
import cnnc.spark.CifarSource;
import cnnc.spark.FolderSource;
import cnnc.spark.HadoopFiles;
import cnnc.spark.IdxSource;
import cnnc.spark.ImageSource;
import cnnc.spark.ShippedNetwork;
import cnnc.spark.SparkSessions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** What the Spark commands share: the master, the partitions, extra Spark settings, the data. */
public final class SparkArgs {

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "local[*] or local[N] (embedded Spark), spark://HOST:PORT or any master URL; under spark-submit, its master.")
    String master;

    @Option(names = "--partitions", paramLabel = "P",
            description = "Fixed partitions of the data (default 2); the result depends on P, not on the executors.")
    int partitions = 2;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting, e.g. spark.executor.memory=1g (repeatable).")
    List<String> conf = List.of();

    @Option(names = "--data", paramLabel = "fashion-mnist|DIR|FILE|URI",
            description = "What cnnc train takes (fashion-mnist, a directory of IDX files, an image folder DIR/train/<class>/*.png, "
                    + "CIFAR-10/100 binaries or their .tar.gz), as a local path or a URI Spark reads (file:, hdfs:, s3a:).")
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

    @Option(names = "--cifar-labels", paramLabel = "fine|coarse", description = "CIFAR-100: the 100 fine labels (default) or the 20 coarse ones.")
    String cifarLabels = "fine";

    @Option(names = "--class-cache", paramLabel = "DIR|off",
            description = "Where the driver keeps the compiled network class between runs (default: $CNNC_CLASS_CACHE, else classes/ in"
                    + " $CNNC_CACHE, $XDG_CACHE_HOME/cnnc or ~/.cache/cnnc); off compiles every time.")
    String classCache;

    void check() {
        if (partitions < 1) {
            throw new UserError("--partitions must be at least 1, found " + partitions);
        }
        for (String c : conf) {
            if (c.indexOf('=') < 1) {
                throw new UserError("--conf takes KEY=VALUE, found '" + c + "'");
            }
        }
    }

    /**
     * Where the data is, for {@code model}'s input, found as {@code cnnc train} finds it
     * ({@code DataSets.load}): an image folder, CIFAR binaries, else IDX files; {@code seed} draws an
     * image folder's validation split. Nothing is decoded here but what CIFAR's class names need.
     */
    ImageSource source(Model model, long seed) {
        int classes = DataArgs.classes(model);
        var x = model.input().shape();
        int[] chw = {x.c(), x.h(), x.w()};
        Images.Policy policy = new Images.Policy(!noResize, !noConvert);
        boolean named = !data.equals(DataLocator.FASHION_MNIST);
        try {
            if (named && FolderSource.looksLike(data)) {
                return folder(classes, chw, policy, seed);
            }
            if (named && CifarSource.looksLike(data)) {
                if (!cifarLabels.equals("fine") && !cifarLabels.equals("coarse")) {
                    throw new UserError("--cifar-labels takes fine or coarse, found '" + cifarLabels + "'");
                }
                CifarSource c = CifarSource.open(data, cifarLabels.equals("fine"), chw, policy);
                DataSets.checkClasses(data + " (" + c.kind() + ")", c.classNames(), classes);
                return c;
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        if (named && !HadoopFiles.hasScheme(data) && Files.isRegularFile(Path.of(data))) {
            throw new UserError("--data " + data + ": a file, but not a CIFAR tar file (.tar.gz, .tgz or .tar); pass a directory "
                    + "with IDX files, an image folder (DIR/train/<class>/...) or CIFAR binaries");
        }
        try {
            return IdxSource.locate(data);
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            throw new UserError("cannot find the data: " + e.getMessage());
        }
    }

    private FolderSource folder(int classes, int[] chw, Images.Policy policy, long seed) throws IOException {
        FolderSource f = FolderSource.scan(data, chw, policy, skipBad);
        DataSets.checkClasses(data, f.classNames(), classes);
        if (f.hasTest()) {
            return f;
        }
        if (!(valSplit > 0 && valSplit < 1)) {
            throw new UserError("--val-split must be between 0 and 1 (exclusive), found " + valSplit);
        }
        return f.split(DataSets.splitRows(f.trainSize(), valSplit, seed),
                String.format("validation (%.0f%% of train/, seed %d; no test/ folder)", 100 * valSplit, seed));
    }

    /** The class names: the data's, Fashion-MNIST's for {@code --data fashion-mnist}, else "0" .. "K-1". */
    List<String> classNames(ImageSource source, int classes) {
        if (source.classNames() != null) {
            return source.classNames();
        }
        if (data.equals(DataLocator.FASHION_MNIST) && classes == DataSets.FASHION.size()) {
            return DataSets.FASHION;
        }
        List<String> n = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            n.add(Integer.toString(i));
        }
        return n;
    }

    /**
     * A whole split read here (the driver evaluates the test set), checked against the model's
     * input, with the data's class names.
     */
    Dataset read(ImageSource source, boolean train, Model m, int classes) {
        Dataset d;
        try {
            ImageSource.Part all = source.readAll(train);
            d = all.dataset(source.where(), classes).withClassNames(classNames(source, classes));
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot read the " + (train ? "training" : source.testName()) + " set in " + source.where() + ": "
                    + e.getMessage());
        }
        if (m.input().shape().perSample() != d.pixels()) {
            throw new UserError(m.name() + "'s input " + m.input().name() + " does not take the " + d.channels() + "x"
                    + d.height() + "x" + d.width() + " images in " + source.where());
        }
        return d;
    }

    SparkSession start(String app) {
        Map<String, String> c = new LinkedHashMap<>();
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            c.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        try {
            return SparkSessions.start(master, app, c);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        } catch (RuntimeException e) {
            throw new UserError("cannot start Spark with master " + master + ": " + e.getMessage());
        }
    }

    /**
     * Compiles {@code m} once, here, into bytecode for the executors, its transient tensors in shared
     * memory (only a pass reads them; executors ship parameter gradients, scorers read the output):
     * a training class's sensitivities and forward-only activations, an inference class's every
     * activation between input and output.
     */
    ShippedNetwork ship(Model m, String hash, PrintWriter err) {
        // the class cache of cnnc train's (DeviceArgs.make): a job of a model compiled before loads its class
        DeviceArgs.Made made = DeviceArgs.make(DeviceArgs.classCache(classCache), m, DeviceArgs.PACKAGE, JavaBackend.vectorAvailable(),
                JavaBackend.Memory.SHARED, false);
        if (made.cache().kind() != DeviceArgs.CacheUse.Kind.OFF) {
            err.println(made.describe());
            err.flush();
        }
        return ShippedNetwork.of(made.compiled(), hash == null ? GraphHash.of(m) : hash, m.batch());
    }

    /** An executor's I/O failure as Spark reports it: its class and message inside the job's message (no cause is kept). */
    private static final java.util.regex.Pattern REMOTE_IO =
            java.util.regex.Pattern.compile("java\\.io\\.(?:Unchecked)?IOException: (?:java\\.io\\.IOException: )?([^\\n]*)");

    /**
     * A Spark job's failure as a user's message when its cause is the data; else the exception
     * itself, or for Spark's own (checked, undeclared) {@code SparkException} its first line.
     */
    static RuntimeException jobFailure(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                String m = t instanceof UncheckedIOException && t.getCause() != null ? t.getCause().getMessage() : t.getMessage();
                return new UserError("reading the data failed on an executor: " + m);
            }
            java.util.regex.Matcher io = t.getMessage() == null ? null : REMOTE_IO.matcher(t.getMessage());
            if (io != null && io.find()) {
                return new UserError("reading the data failed on an executor: " + io.group(1));
            }
        }
        if (e instanceof RuntimeException r) {
            return r;
        }
        String m = String.valueOf(e.getMessage());
        return new UserError("the Spark job failed: " + (m.indexOf('\n') < 0 ? m : m.substring(0, m.indexOf('\n'))));
    }
}
