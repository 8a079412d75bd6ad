package cnnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.data.Dataset;
import cnnc.runtime.testing.SoftmaxNet;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    /**
     * Ten 1x2 images (pixels a, b) and a 2-class softmax regression with weights chosen by hand:
     * logit0 = 2a, logit1 = 2b, so the prediction is the brighter pixel and
     * p(label) = 1 / (1 + exp(-2 (x_label - x_other))).
     */
    @Test
    void accuracyAndLossOverFullAndPaddedBatches() {
        float[][] px = {{1, 0}, {0, 1}, {0.5f, 0}, {0, 0.25f}, {1, 0}, {0, 1}, {0.75f, 0}, {0, 0.5f}, {1, 0}, {0, 1}};
        int[] labels = {0, 1, 1, 1, 0, 0, 0, 1, 1, 1}; // images 2, 5 and 8 are mislabelled for this model
        float[] images = new float[20];
        for (int i = 0; i < 10; i++) {
            images[2 * i] = px[i][0];
            images[2 * i + 1] = px[i][1];
        }
        Dataset d = new Dataset("hand", images, labels, 1, 1, 2, 2);
        SoftmaxNet net = new SoftmaxNet(4, 2, 1, 2); // 10 images: batches of 4, 4 and 2 (+2 padding)
        float[] w = net.tensor("f.weight");
        w[0] = 2; // logit0 = 2 a
        w[3] = 2; // logit1 = 2 b
        Evaluation e = Evaluator.evaluate(net, d);
        assertEquals(10, e.count());
        assertEquals(7, e.correct());
        assertEquals(0.7, e.accuracy(), 1e-12);
        double expected = 0;
        for (int i = 0; i < 10; i++) {
            double margin = 2 * (px[i][labels[i]] - px[i][1 - labels[i]]);
            expected += Math.log(1 + Math.exp(-margin)); // -log sigmoid(margin)
        }
        assertEquals(expected / 10, e.meanLoss(), 1e-6);
    }

    @Test
    void argmaxTakesTheFirstMaximum() {
        assertEquals(1, cnnc.runtime.Classifier.argmax(new float[] {9, 0, 3, 3, 1}, 1, 4));
        assertEquals(0, cnnc.runtime.Classifier.argmax(new float[] {2, 2}, 0, 2));
    }

    @Test
    void refusesDataThatDoesNotFitTheModel() {
        SoftmaxNet net = new SoftmaxNet(4, 3, 4, 4);
        Dataset wrongSize = new Dataset("d", new float[25], new int[1], 1, 5, 5, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(net, wrongSize));
        assertEquals("model softmax_regression input x has shape [4, 1, 4, 4], the data has images of 1x5x5",
                e.getMessage());
        Dataset wrongClasses = new Dataset("d", new float[16], new int[1], 1, 4, 4, 10);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(net, wrongClasses))
                .getMessage().contains("the data has 10 classes"));
    }
}
