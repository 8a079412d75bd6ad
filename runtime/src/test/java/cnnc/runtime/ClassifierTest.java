package cnnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.testing.SoftmaxNet;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class ClassifierTest {

    /** Softmax regression over 2x2 images whose class c has weight 1 on pixel c only: the brightest pixel wins. */
    static SoftmaxNet brightestPixel(int batch) {
        SoftmaxNet net = new SoftmaxNet(batch, 4, 2, 2);
        float[] w = net.tensor("f.weight");
        for (int c = 0; c < 4; c++) {
            w[c * 4 + c] = 5f;
        }
        return net;
    }

    @Test
    void classifiesOneImageAndGivesProbabilities() {
        Classifier c = new Classifier(brightestPixel(1));
        assertEquals(4, c.classes());
        assertEquals(4, c.imageSize());
        assertEquals(2, c.classify(new float[] {0, 0.1f, 0.9f, 0.2f}));
        float[] p = c.probabilities(new float[] {1, 0, 0, 0});
        assertEquals(4, p.length);
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-6);
        assertTrue(p[0] > 0.9f, "p[0] = " + p[0]);
        assertEquals(0, c.classify(new float[] {0.5f, 0.5f, 0.5f, 0.5f}), "ties go to the first class");
    }

    @Test
    void classifiesManyImagesInBatchesWithAPartialLastBatch() {
        Classifier c = new Classifier(brightestPixel(3));
        float[][] images = new float[7][];
        int[] expected = new int[7];
        for (int i = 0; i < 7; i++) {
            images[i] = new float[4];
            expected[i] = (i * 3) % 4;
            images[i][expected[i]] = 1f;
        }
        assertArrayEquals(expected, c.classify(images));
    }

    @Test
    void refusesImagesOfTheWrongSize() {
        Classifier c = new Classifier(brightestPixel(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.classify(new float[5]));
        assertTrue(e.getMessage().contains("takes images of 4 floats"), e.getMessage());
    }
}
