package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.data.Cifar;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad data: one clear message naming the file, exit 1, nothing written half (no weights, no cache, no run). */
@org.junit.jupiter.api.Timeout(600)
class BadImageDataTest {

    static final String RGB = """
            network rgb {
                input  x : 3x8x8;
                target z : 3;
                f = full(x, 3);
                y = softmax(f);
                loss cross_entropy(y, z);
                train { batch 4; epochs 1; optimizer sgd(lr: 0.05); seed 2; }
            }
            """;

    @TempDir
    Path dir;

    Path model;
    Path data;
    Path cache;
    Path save;

    @BeforeEach
    void setUp() throws IOException {
        model = dir.resolve("rgb.cnn");
        Files.writeString(model, RGB);
        data = dir.resolve("data");
        ImageSets.writeShapes(data, "train", 6, 8, 3);
        cache = dir.resolve("cache");
        save = dir.resolve("w.safetensors");
    }

    private Cli train(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", model.toString(), "--data", data.toString(), "--cache",
                cache.toString(), "--save", save.toString(), "--runs", dir.resolve("runs").toString()));
        args.addAll(Arrays.asList(more));
        return Cli.run(args.toArray(String[]::new));
    }

    /** Exit 1, a message naming {@code what}, no stack trace, and nothing written. */
    private void fails(Cli c, String what, String... says) throws IOException {
        assertEquals(1, c.code(), c::toString);
        assertTrue(c.err().contains(what), () -> "the message should name " + what + "\n" + c);
        for (String s : says) {
            assertTrue(c.err().contains(s), () -> "the message should say '" + s + "'\n" + c);
        }
        assertFalse(c.err().contains("Exception"), c::toString);
        assertFalse(Files.exists(save), "no weights");
        assertFalse(Files.exists(dir.resolve("runs")), "no run directory");
        if (Files.isDirectory(cache)) {
            try (Stream<Path> s = Files.list(cache)) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "no temporary file left");
            }
        }
    }

    @Test
    void aCorruptImageIsNamed() throws IOException {
        Path bad = data.resolve("train/cross/0001.png");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        fails(train(), bad.toString(), "not an image the JDK can decode");
    }

    @Test
    void aTruncatedPngOrJpegIsNamed() throws IOException {
        Path png = data.resolve("train/circle/0002.png");
        byte[] b = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(b, b.length / 2));
        fails(train(), png.toString(), "cannot decode");

        ImageSets.writeShapes(data, "train", 6, 8, 3); // whole again
        // a JPEG cut inside its scan data decodes with a grey remainder and only a warning: still refused
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < 64 * 64; p++) {
            img.setRGB(p % 64, p / 64, p * 2654435761L > 0 ? (int) (p * 2654435761L) : p);
        }
        Path jpg = data.resolve("train/square/0009.jpg");
        ImageIO.write(img, "jpg", jpg.toFile());
        byte[] j = Files.readAllBytes(jpg);
        Files.write(jpg, Arrays.copyOf(j, j.length * 3 / 4));
        fails(train(), jpg.toString(), "damaged JPEG image");
    }

    @Test
    void aNonImageFileIsAnErrorOrSkippedAndCountedUnderSkipBad() throws IOException {
        Path notes = data.resolve("train/cross/notes.txt");
        Files.writeString(notes, "not a picture");
        fails(train(), notes.toString(), "not an image file", "--skip-bad");
        Cli skip = train("--skip-bad");
        assertEquals(0, skip.code(), skip::toString);
        assertTrue(skip.err().contains("skipped 1 unreadable file (--skip-bad), e.g. " + notes), skip::toString);
        assertTrue(skip.err().contains("16 training and 2 validation"), skip::toString);
    }

    @Test
    void anEmptyClassFolderAndATestClassMissingFromTrainAreNamed() throws IOException {
        Path empty = data.resolve("train/triangle");
        Files.createDirectories(empty);
        fails(train(), empty.toString(), "empty class folder");
        Files.delete(empty);
        Files.createDirectories(data.resolve("test/circle"));
        Files.copy(data.resolve("train/circle/0000.png"), data.resolve("test/circle/0000.png"));
        Path stray = data.resolve("test/star");
        Files.createDirectories(stray);
        Files.copy(data.resolve("train/circle/0001.png"), stray.resolve("0001.png"));
        fails(train(), stray.toString(), "class 'star' is in test/ but not in train/");
    }

    @Test
    void grayImagesForAColourModelAndOtherSizesAreRefusedWhenConversionIsOff() throws IOException {
        Path gray = data.resolve("train/circle/0003.png");
        BufferedImage g = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        ImageIO.write(g, "png", gray.toFile());
        fails(train("--no-convert"), gray.toString(), "a grayscale (1-channel) image, but the model takes colour (3-channel RGB)");
        ImageIO.write(new BufferedImage(10, 9, BufferedImage.TYPE_INT_RGB), "png", gray.toFile());
        fails(train("--no-resize"), gray.toString(), "the image is 10x9 (width x height), but the model takes 8x8");
        Cli converted = train();
        assertEquals(0, converted.code(), converted::toString);
    }

    @Test
    void aFolderWithOtherClassesThanTheModelIsRefused() throws IOException {
        Files.writeString(model, RGB.replace("target z : 3;", "target z : 4;").replace("full(x, 3)", "full(x, 4)"));
        fails(train(), data.toString(), "has 3 classes (circle, cross, square), but the model's target has 4");
    }

    @Test
    void aStaleOrDamagedCacheIsRebuiltAndAChangedImageIsDecodedAgain() throws IOException {
        Cli first = train();
        assertEquals(0, first.code(), first::toString);
        Path cacheFile;
        try (Stream<Path> s = Files.list(cache)) {
            cacheFile = s.filter(p -> p.toString().endsWith(".images")).findFirst().orElseThrow();
        }
        byte[] weights = Files.readAllBytes(save);
        // damaged: cut short
        byte[] c = Files.readAllBytes(cacheFile);
        Files.write(cacheFile, Arrays.copyOf(c, c.length - 10));
        Files.delete(save);
        Cli damaged = train();
        assertEquals(0, damaged.code(), damaged::toString);
        assertTrue(damaged.err().contains("the image cache " + cacheFile + " is stale or damaged"), damaged::toString);
        assertTrue(java.util.Arrays.equals(weights, Files.readAllBytes(save)), "the same weights from the rebuilt cache");
        // a changed image: another key, decoded again, the old cache file removed
        Path changed = data.resolve("train/square/0001.png");
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", changed.toFile());
        Files.setLastModifiedTime(changed, FileTime.fromMillis(Files.getLastModifiedTime(changed).toMillis() + 5000));
        Files.delete(save);
        Cli again = train();
        assertEquals(0, again.code(), again::toString);
        assertTrue(again.err().contains("decoded 18 images"), again::toString);
        assertFalse(Files.exists(cacheFile), "the cache of the old contents is gone");
        assertFalse(java.util.Arrays.equals(weights, Files.readAllBytes(save)), "a black square trains other weights");
    }

    @Test
    void aTruncatedCifarBatchIsNamed() throws IOException {
        Path cifar = dir.resolve("cifar");
        Files.createDirectories(cifar);
        Files.write(cifar.resolve("data_batch_1.bin"), new byte[3073 * 4 - 100]);
        Files.write(cifar.resolve("test_batch.bin"), new byte[3073 * 2]);
        Files.writeString(model, RGB.replace("3x8x8", "3x32x32").replace("target z : 3;", "target z : 10;").replace("full(x, 3)",
                "full(x, 10)"));
        data = cifar;
        fails(train(), cifar.resolve("data_batch_1.bin").toString(), "is not a whole number of 3073-byte records");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("cifar-10-batches-bin/data_batch_1.bin", new byte[3073 * 4]);
        files.put("cifar-10-batches-bin/test_batch.bin", new byte[3073 * 2 + 1]);
        Path tar = dir.resolve("cifar-10-binary.tar");
        Files.write(tar, Cifar.tar(files));
        data = tar;
        fails(train(), "test_batch.bin", "is not a whole number of 3073-byte records");
    }
}
