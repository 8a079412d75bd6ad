package cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(30)
class DatasetTest {

    @TempDir
    Path dir;

    Dataset twoImages() throws IOException {
        Path img = dir.resolve("img");
        Files.write(img, IdxTest.IMAGES);
        Path lab = dir.resolve("lab.gz");
        Files.write(lab, IdxTest.gzip(IdxTest.bytes(0, 0, 8, 1, 0, 0, 0, 2, 2, 0)));
        return Dataset.fromIdx(img, lab, 3);
    }

    @Test
    void scalesPixelsToUnitIntervalAndReadsLabels() throws IOException {
        Dataset d = twoImages();
        assertEquals(2, d.size());
        assertEquals(1, d.channels());
        assertEquals(2, d.height());
        assertEquals(3, d.width());
        assertEquals(6, d.pixels());
        // bytes 0, 51, 102, 153, 204, 255 are 0, 0.2, 0.4, 0.6, 0.8, 1 (x/255)
        float[] expected = {0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f};
        for (int p = 0; p < 6; p++) {
            assertEquals(expected[p], d.pixel(0, p), 1e-7, "pixel " + p);
        }
        assertEquals(128 / 255f, d.pixel(1, 5));
        assertEquals(2, d.label(0));
        assertEquals(0, d.label(1));
    }

    @Test
    void refusesLabelsBeyondTheClassCountAndCountMismatches() throws IOException {
        Path img = dir.resolve("img");
        Files.write(img, IdxTest.IMAGES);
        Path lab = dir.resolve("lab");
        Files.write(lab, IdxTest.bytes(0, 0, 8, 1, 0, 0, 0, 2, 2, 5));
        IOException e = assertThrows(IOException.class, () -> Dataset.fromIdx(img, lab, 3));
        assertEquals(lab + ": label 5 of image 1 is not below 3 (the number of classes)", e.getMessage());
        Files.write(lab, IdxTest.bytes(0, 0, 8, 1, 0, 0, 0, 3, 2, 0, 1));
        assertTrue(assertThrows(IOException.class, () -> Dataset.fromIdx(img, lab, 3)).getMessage()
                .contains("expected 2 labels"));
    }

    @Test
    void fillsInputsAndOneHotTargetsInTheGivenOrder() throws IOException {
        Dataset d = twoImages();
        float[] in = new float[2 * 6];
        float[] target = new float[2 * 3];
        d.fill(new int[] {1, 0}, 0, 2, in, target);
        assertEquals(1 / 255f, in[0]);              // image 1 first
        assertEquals(0f, in[6]);                    // then image 0
        assertEquals(1f, in[11]);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, target); // labels 0, then 2
    }

    @Test
    void padsAPartialBatchWithZeros() throws IOException {
        Dataset d = twoImages();
        float[] in = new float[3 * 6];
        float[] target = new float[3 * 3];
        Arrays.fill(in, 9f);
        Arrays.fill(target, 9f);
        d.fill(d.identity(), 1, 1, in, target);
        assertEquals(128 / 255f, in[5]);
        for (int i = 6; i < in.length; i++) {
            assertEquals(0f, in[i]);
        }
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0}, target);
        assertThrows(IllegalArgumentException.class, () -> d.fill(d.identity(), 0, 2, new float[6], null));
    }

    @Test
    void epochOrderDependsOnlyOnSeedAndEpoch() {
        Dataset d = new Dataset("d", new float[100], new int[100], 1, 1, 1, 1);
        int[] o = d.order(5, 3);
        assertArrayEquals(o, d.order(5, 3));
        assertFalse(Arrays.equals(o, d.order(5, 4)));
        assertFalse(Arrays.equals(o, d.order(6, 3)));
        int[] s = o.clone();
        Arrays.sort(s);
        assertArrayEquals(d.identity(), s);
    }

    @Test
    void headKeepsTheFirstImages() throws IOException {
        Dataset h = twoImages().head(1);
        assertEquals(1, h.size());
        assertEquals(2, h.label(0));
        assertEquals(1f, h.pixel(0, 5));
    }

    @Test
    void constructorChecksSizes() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset("d", new float[5], new int[1], 1, 2, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("d", new float[6], new int[] {2}, 1, 2, 3, 2));
    }
}
