package cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding and conversion: exact round trips, the luma formula, bilinear resizing against hand values. */
@org.junit.jupiter.api.Timeout(60)
class ImagesTest {

    @TempDir
    Path dir;

    @Test
    void grayAndRgbPngsRoundTripExactlyForEveryByte() throws IOException {
        BufferedImage g = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        g.getRaster().setDataElements(0, 0, 16, 16, all);
        Path pg = dir.resolve("g.png");
        ImageIO.write(g, "png", pg.toFile());
        assertArrayEquals(all, Images.toBytes(Images.read(pg), 1, 16, 16, Images.Policy.ALL, "g"));

        BufferedImage c = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        c.setRGB(0, 0, 0x102030);
        c.setRGB(1, 0, 0xFF8001);
        Path pc = dir.resolve("c.bmp");
        ImageIO.write(c, "bmp", pc.toFile());
        assertArrayEquals(new byte[] {0x10, (byte) 0xFF, 0x20, (byte) 0x80, 0x30, 0x01},
                Images.toBytes(Images.read(pc), 3, 1, 2, Images.Policy.ALL, "c"));
        // colour to gray: (299 R + 587 G + 114 B + 500) / 1000
        byte[] gray = Images.toBytes(Images.read(pc), 1, 1, 2, Images.Policy.ALL, "c");
        assertEquals((299 * 0x10 + 587 * 0x20 + 114 * 0x30 + 500) / 1000, gray[0] & 0xFF);
        assertEquals((299 * 255 + 587 * 128 + 114 + 500) / 1000, gray[1] & 0xFF);
        // gray to colour repeats the plane
        byte[] rgb = Images.toBytes(Images.read(pg), 3, 16, 16, Images.Policy.ALL, "g");
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(all, java.util.Arrays.copyOfRange(rgb, 256 * k, 256 * (k + 1)));
        }
    }

    @Test
    void bilinearResizeMatchesHandComputedValues() {
        // 1x2 -> 1x4: sample points (x + 0.5) * 2/4 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
        byte[] out = Images.resize(new byte[] {0, 100}, 1, 1, 2, 1, 4);
        assertArrayEquals(new byte[] {0, 25, 75, 100}, out);
        // 2x2 -> 1x1 samples the centre: the mean of the four
        assertArrayEquals(new byte[] {(byte) 130}, Images.resize(new byte[] {(byte) 200, 100, 60, (byte) 160}, 1, 2, 2, 1, 1));
        // same size is the identity
        byte[] same = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(same, Images.resize(same, 1, 2, 3, 2, 3));
    }

    @Test
    void aForbiddenConversionNamesTheImageAndBothShapes() {
        IOException e = assertThrows(IOException.class,
                () -> Images.convert(new byte[4], 1, 2, 2, 3, 2, 2, new Images.Policy(true, false), "a.png"));
        assertTrue(e.getMessage().startsWith("a.png: a grayscale (1-channel) image, but the model takes colour (3-channel RGB)"),
                e.getMessage());
        e = assertThrows(IOException.class, () -> Images.convert(new byte[4], 1, 2, 2, 1, 3, 3, new Images.Policy(false, true), "b.png"));
        assertTrue(e.getMessage().startsWith("b.png: the image is 2x2 (width x height), but the model takes 3x3"), e.getMessage());
    }

    /** Found while fuzzing (docs/fuzzing.md): 27 bytes of GIF declaring 30000x30000 made the decoder allocate 900 MB. */
    @Test
    void anImageDeclaringMorePixelsThanTheLimitFailsBeforeDecoding() throws IOException {
        byte[] gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, ',', 0, 0, 0, 0, 0x30, 0x75, 0x30, 0x75, 0, 2, 2, 0x44, 1, 0, ';'};
        Path f = java.nio.file.Files.write(dir.resolve("bomb.gif"), gif);
        IOException e = assertThrows(IOException.class, () -> Images.read(f));
        assertTrue(e.getMessage().startsWith(f + ": the image declares 30000x30000 pixels"), e.getMessage());
    }
}
