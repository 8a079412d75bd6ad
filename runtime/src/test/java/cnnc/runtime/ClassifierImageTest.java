package cnnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.data.Preprocessing;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.testing.SoftmaxNet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classifier on BufferedImages and files, with the class names and normalization of the weights file. */
@org.junit.jupiter.api.Timeout(60)
class ClassifierImageTest {

    @TempDir
    Path dir;

    /** Class c has weight 5 on pixel c; bias favours class 3 unless normalization moves the inputs. */
    static SoftmaxNet net() {
        SoftmaxNet net = ClassifierTest.brightestPixel(1);
        return net;
    }

    @Test
    void imagesAndFilesGoThroughTheStoredPreprocessing() throws IOException {
        SoftmaxNet trained = net();
        Preprocessing prep = new Preprocessing(1, 2, 2, new float[] {0.5f}, new float[] {0.25f}, List.of("a", "b", "c", "d"));
        Path w = dir.resolve("w.safetensors");
        NetworkFiles.saveWeights(trained, w, prep.toMetadata());

        Classifier c = Classifier.load(net(), w);
        assertEquals(List.of("a", "b", "c", "d"), c.classNames());
        assertArrayEquals(new float[] {0.5f}, c.preprocessing().mean());
        // a 4x4 gray image resized (bilinear) to 2x2: each output pixel the mean of a 2x2 block
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = new byte[16];
        px[2] = px[3] = px[6] = px[7] = (byte) 200;   // the top right block is bright: class 1
        img.getRaster().setDataElements(0, 0, 4, 4, px);
        assertEquals(1, c.classify(img));
        assertEquals("b", c.className(c.classify(img)));
        // the float[] path, normalized by hand, gives the same probabilities
        float[] byHand = {(0 - 0.5f) / 0.25f, (200 / 255f - 0.5f) / 0.25f, (0 - 0.5f) / 0.25f, (0 - 0.5f) / 0.25f};
        assertArrayEquals(c.probabilities(byHand), c.probabilities(img));
        Path f = dir.resolve("img.png");
        ImageIO.write(img, "png", f.toFile());
        assertArrayEquals(c.probabilities(byHand), c.probabilities(f));
        // a colour file is converted to gray
        BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 1, 0xFFFFFF);
        Path fc = dir.resolve("rgb.bmp");
        ImageIO.write(rgb, "bmp", fc.toFile());
        assertEquals(2, c.classify(fc));
    }

    @Test
    void withoutMetadataImagesAreBytesOver255AndAnUnreadableFileIsNamed() throws IOException {
        SoftmaxNet n = net();
        Path w = dir.resolve("plain.safetensors");
        NetworkFiles.saveWeights(n, w, Map.of());
        Classifier c = Classifier.load(net(), w);
        assertEquals(List.of("0", "1", "2", "3"), c.classNames());
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, 2, 2, new byte[] {0, 0, 0, (byte) 255});
        assertArrayEquals(c.probabilities(new float[] {0, 0, 0, 1}), c.probabilities(img));
        Path bad = dir.resolve("bad.png");
        Files.writeString(bad, "text");
        IOException e = assertThrows(IOException.class, () -> c.classify(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
    }
}
