package cnnc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Cifar;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.ImageCache;
import cnnc.runtime.data.ImageFolder;
import cnnc.runtime.data.Images;
import cnnc.runtime.init.Initializers;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Schedule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Image folders and CIFAR binaries on Spark: executors decode their own partitions, and training
 * with the train block's measured normalization and augmentation on {@code local[2]} equals one
 * network of the global batch trained on the same global batches, with the data read, converted
 * and resized by the single-machine path ({@link ImageCache}, {@link Cifar#read}).
 */
@org.junit.jupiter.api.Timeout(600)
class SparkImageDataTest {

    static final int P = 2;
    static final int BATCH = 16;
    static final long SEED = 3;

    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("cnnc-spark-images-");
        spark = Fixtures.session("local[2]");
    }

    @AfterAll
    static void stop() throws IOException {
        if (spark != null) {
            spark.stop();
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Weights after every step of one epoch on Spark, and the normalization it measured. */
    static List<List<float[]>> spark(Path modelFile, ImageSource source, int classes, float[][] measured, Augment aug) {
        Model share = Fixtures.model(modelFile, BATCH / P, true);
        ShippedNetwork shipped = Fixtures.ship(share);
        Network net = shipped.instantiate();
        Optimizer opt = Fixtures.optimizer(share, net);
        List<List<float[]>> after = new ArrayList<>();
        SparkTrainer t = new SparkTrainer(Fixtures.context(spark), shipped, net, opt, source, classes, P).epochs(1).seed(SEED)
                .schedule(Schedule.of(share.train().schedule())).listener((e, step, n) -> after.add(Fixtures.weights(n)));
        float[][] ms = t.measureMeanStd();
        measured[0] = ms[0];
        measured[1] = ms[1];
        t.normalization(ms[0], ms[1]).augment(aug).train();
        return after;
    }

    /** One network of the global batch on the same global batches, normalized and augmented as on one machine. */
    static List<List<float[]>> single(Path modelFile, Dataset train, Augment aug) {
        Model m = Fixtures.model(modelFile, BATCH, true);
        Network net = Fixtures.local(m);
        Optimizer opt = Fixtures.optimizer(m, net);
        Initializers.initialize(net, SEED, Map.of());
        int[] order = Shard.globalOrder(SEED, 0, train.size(), P, BATCH / P);
        int steps = order.length / BATCH;
        Schedule schedule = Schedule.of(m.train().schedule());
        List<List<float[]>> after = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            train.fill(order, s * BATCH, BATCH, net.tensor(net.inputName()), net.tensor(net.targetName()), aug, SEED, 0);
            net.forward();
            net.backward();
            opt.setLearningRateFactor(schedule.factor(s, steps));
            opt.step();
            after.add(Fixtures.weights(net));
        }
        return after;
    }

    static void compare(String what, List<List<float[]>> ref, List<List<float[]>> got) {
        assertEquals(ref.size(), got.size(), what + ": steps in an epoch");
        double first = Fixtures.maxDiff(ref.get(0), got.get(0));
        double worst = 0;
        for (int s = 0; s < ref.size(); s++) {
            worst = Math.max(worst, Fixtures.maxDiff(ref.get(s), got.get(s)));
        }
        double moved = Fixtures.maxDiff(ref.get(ref.size() - 1), ref.get(0));
        System.out.printf("%s: largest |spark - single JVM| after step 1 %.3g, over the epoch (%d steps) %.3g; training moved"
                + " weights by %.3g%n", what, first, ref.size(), worst, moved);
        assertTrue(first < 1e-6, what + " after one step: " + first);
        assertTrue(worst < 1e-4, what + " over the epoch: " + worst);
        assertTrue(moved > 100 * worst, what + ": training moved the weights");
    }

    static float[] mean(Dataset d) {
        return d.measureMeanStd()[0];
    }

    @Test
    void imageFolderFromAUriTrainsAsOneMachine() throws IOException {
        Path folder = dir.resolve("shapes");
        ImageData.writeShapes(folder, "train", 32, 1);
        ImageData.writeShapes(folder, "test", 4, 2);
        Path model = ImageData.model(dir, 3, 3, BATCH);
        int[] chw = {3, 16, 16};
        // a file: URI takes the Hadoop path: listed through Hadoop's FileSystem, each file read by its executor
        FolderSource uri = FolderSource.scan(folder.toUri().toString(), chw, Images.Policy.ALL, false);
        FolderSource local = FolderSource.scan(folder.toString(), chw, Images.Policy.ALL, false);
        ImageSource.Part a = uri.readAll(true);
        ImageSource.Part b = local.readAll(true);
        assertArrayEquals(b.labels(), a.labels(), "the same files in the same order");
        assertArrayEquals(b.pixels(), a.pixels());
        assertEquals(List.of("circle", "cross", "square"), uri.classNames());

        ImageFolder f = ImageFolder.scan(folder, false);
        Dataset one = ImageCache.load(f, f.train(), 3, 16, 16, Images.Policy.ALL, false, dir.resolve("cache"), 1).data();
        Augment aug = new Augment(true, false, 2);
        float[][] ms = new float[2][];
        List<List<float[]>> got = spark(model, uri, 3, ms, aug);
        float[][] single = one.measureMeanStd();
        for (int c = 0; c < 3; c++) {
            assertEquals(single[0][c], ms[0][c], 1e-6, "mean of channel " + c);
            assertEquals(single[1][c], ms[1][c], 1e-6, "std of channel " + c);
        }
        compare("image folder (3x20x20 PNG/BMP, gray and RGB, resized to 16x16)", single(model, one.normalized(ms[0], ms[1]), aug),
                got);
    }

    /**
     * Through a file system that is not {@code file:} ({@code loop:}, the local disk under another
     * scheme): an image folder is listed through Hadoop and every file copied before decoding, CIFAR
     * binaries (an archive and a folder) and IDX files are copied; the images are the local reads'.
     */
    @Test
    void otherFileSystemsReadTheSameImages() throws IOException {
        Path folder = dir.resolve("remote-shapes");
        ImageData.writeShapes(folder, "train", 6, 7);
        int[] chw = {3, 16, 16};
        ImageSource.Part local = FolderSource.scan(folder.toString(), chw, Images.Policy.ALL, false).readAll(true);
        FolderSource remote = FolderSource.scan("loop:" + folder, chw, Images.Policy.ALL, false);
        assertTrue(remote.file(true, 0).startsWith("loop:/"), remote.file(true, 0));
        ImageSource.Part got = remote.readAll(true);
        assertArrayEquals(local.labels(), got.labels());
        assertArrayEquals(local.pixels(), got.pixels());

        Path tar = ImageData.writeCifar(dir, 12, 5, 9);
        ImageSource.Part cifar = CifarSource.open(tar.toString(), true, chw, Images.Policy.ALL).readAll(false);
        ImageSource.Part cifarRemote = CifarSource.open("loop:" + tar, true, chw, Images.Policy.ALL).readAll(false);
        assertArrayEquals(cifar.pixels(), cifarRemote.pixels());
        Path unpacked = dir.resolve("cifar-folder");
        ImageData.writeCifarFolder(unpacked, 12, 5, 9);
        assertTrue(CifarSource.looksLike("loop:" + unpacked));
        assertArrayEquals(cifar.pixels(), CifarSource.open("loop:" + unpacked, true, chw, Images.Policy.ALL).readAll(false).pixels());

        Path idx = Fixtures.ROOT.resolve("samples/data");
        assertArrayEquals(IdxSource.locate(idx.toString()).readAll(false).pixels(),
                IdxSource.locate("loop:" + idx).readAll(false).pixels());

        Files.writeString(folder.resolve("train/cross/0002.png"), "damaged");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> FolderSource.scan("loop:" + folder, chw, Images.Policy.ALL, false).readAll(true));
        assertTrue(e.getMessage().startsWith("loop:" + folder.resolve("train/cross/0002.png") + ": not an image"), e.getMessage());
    }

    @Test
    void cifarArchiveTrainsAsOneMachine() throws IOException {
        Path tar = ImageData.writeCifar(dir, 96, 20, 5);
        Path model = ImageData.model(dir, 1, 10, BATCH); // 1x16x16: CIFAR's 3x32x32 converted to gray and resized
        int[] chw = {1, 16, 16};
        CifarSource source = CifarSource.open(tar.toUri().toString(), true, chw, Images.Policy.ALL);
        assertEquals("CIFAR-10", source.kind());
        Dataset raw = Cifar.read(tar, true).train();
        byte[] px = new byte[raw.size() * 256];
        int[] labels = new int[raw.size()];
        byte[] one = new byte[raw.pixels()];
        for (int i = 0; i < raw.size(); i++) {
            for (int k = 0; k < one.length; k++) {
                one[k] = (byte) Math.round(raw.pixel(i, k) * 255f);
            }
            System.arraycopy(Images.convert(one, 3, 32, 32, 1, 16, 16, Images.Policy.ALL, "image " + i), 0, px, i * 256, 256);
            labels[i] = raw.label(i);
        }
        Dataset train = Dataset.ofBytes("cifar", ByteBuffer.wrap(px), labels, 1, 16, 16, 10);
        Augment aug = new Augment(true, false, 2);
        float[][] ms = new float[2][];
        List<List<float[]>> got = spark(model, source, 10, ms, aug);
        assertEquals(train.measureMeanStd()[0][0], ms[0][0], 1e-6, "mean");
        compare("CIFAR-10 .tar.gz (3x32x32 to 1x16x16)", single(model, train.normalized(ms[0], ms[1]), aug), got);
    }
}
