package cnnc.spark;

import cnnc.runtime.Rng;
import cnnc.runtime.data.Cifar;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Small image data the Spark tests write: a model for it, an image folder, CIFAR-10 binaries. */
public final class ImageData {

    private ImageData() {
    }

    /**
     * A small convolutional network for {@code c x 16 x 16} images and {@code classes} classes,
     * trained with normalization measured on the data and augmentation (flip and padded crop).
     */
    public static Path model(Path dir, int channels, int classes, int batch) throws IOException {
        String src = """
                // a small test network: conv, pool, full
                network tiny {
                    input  x : %dx16x16;
                    target z : %d;
                    c1 = conv(x, 4, kernel: 3x3);
                    r1 = relu(c1);
                    p1 = maxpool(r1, window: 2x2);
                    f1 = full(p1, %d);
                    y  = softmax(f1);
                    loss cross_entropy(y, z);
                    train {
                        batch %d;
                        epochs 1;
                        optimizer sgd(lr: 0.05, momentum: 0.9);
                        seed 3;
                        normalize auto;
                        augment { flip: horizontal; crop: 16, pad: 2; }
                    }
                }
                """.formatted(channels, classes, classes, batch);
        Path f = dir.resolve("tiny" + channels + "x" + classes + ".cnn");
        Files.writeString(f, src);
        return f;
    }

    static final String[] SHAPES = {"circle", "cross", "square"};

    /**
     * Coloured shapes on a dark background, 20x20 (the model resizes them to 16x16), in
     * {@code dir/split/<shape>/NNNN.png}: every fourth a grayscale PNG (converted to RGB), every
     * fifth a BMP, so conversions and more than one decoder run.
     */
    public static void writeShapes(Path dir, String split, int perClass, long seed) throws IOException {
        Rng r = Rng.stream(seed, "shapes/" + split);
        int side = 20;
        for (int k = 0; k < SHAPES.length; k++) {
            Path classDir = Files.createDirectories(dir.resolve(split).resolve(SHAPES[k]));
            for (int i = 0; i < perClass; i++) {
                boolean gray = i % 4 == 3;
                BufferedImage img = new BufferedImage(side, side, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(r.nextInt(40), r.nextInt(40), r.nextInt(40)));
                g.fillRect(0, 0, side, side);
                g.setColor(new Color(100 + r.nextInt(156), 100 + r.nextInt(156), 100 + r.nextInt(156)));
                int s = side / 2 + r.nextInt(side / 4);
                int x = r.nextInt(side - s + 1);
                int y = r.nextInt(side - s + 1);
                if (k == 0) {
                    g.fillOval(x, y, s, s);
                } else if (k == 1) {
                    g.fillRect(x + s / 2 - 1, y, 3, s);
                    g.fillRect(x, y + s / 2 - 1, s, 3);
                } else {
                    g.fillRect(x, y, s, 2);
                    g.fillRect(x, y + s - 2, s, 2);
                    g.fillRect(x, y, 2, s);
                    g.fillRect(x + s - 2, y, 2, s);
                }
                g.dispose();
                String ext = i % 5 == 4 && !gray ? "bmp" : "png";
                ImageIO.write(img, ext, classDir.resolve(String.format("%04d.%s", i, ext)).toFile());
            }
        }
    }

    /**
     * CIFAR-10 binaries as the distributed {@code .tar.gz}: {@code train} records in
     * {@code data_batch_1.bin}, {@code test} in {@code test_batch.bin}, class names in
     * {@code batches.meta.txt}; each image a smooth random colour gradient plus noise.
     */
    public static Path writeCifar(Path dir, int train, int test, long seed) throws IOException {
        Map<String, byte[]> files = cifarFiles(train, test, seed);
        Path f = dir.resolve("cifar-10-binary.tar.gz");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(Cifar.tar(files));
        }
        Files.write(f, gz.toByteArray());
        return f;
    }

    /** The same files as {@link #writeCifar} unpacked: {@code dir/cifar-10-batches-bin/...}. */
    public static void writeCifarFolder(Path dir, int train, int test, long seed) throws IOException {
        for (Map.Entry<String, byte[]> e : cifarFiles(train, test, seed).entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
    }

    private static Map<String, byte[]> cifarFiles(int train, int test, long seed) {
        Rng r = Rng.stream(seed, "cifar");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("cifar-10-batches-bin/batches.meta.txt",
                "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n".getBytes(StandardCharsets.US_ASCII));
        files.put("cifar-10-batches-bin/data_batch_1.bin", records(r, train));
        files.put("cifar-10-batches-bin/test_batch.bin", records(r, test));
        return files;
    }

    private static byte[] records(Rng r, int n) {
        byte[] b = new byte[n * (1 + Cifar.PIXELS)];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(10);
            int off = i * (1 + Cifar.PIXELS);
            b[off] = (byte) label;
            for (int c = 0; c < 3; c++) {
                int base = 20 * label + 60 * c;
                for (int p = 0; p < 1024; p++) {
                    b[off + 1 + c * 1024 + p] = (byte) Math.min(255, base + (p / 32) * 2 + r.nextInt(30));
                }
            }
        }
        return b;
    }
}
