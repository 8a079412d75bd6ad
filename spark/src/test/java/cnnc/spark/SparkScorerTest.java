package cnnc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.init.Initializers;
import cnnc.runtime.train.Evaluation;
import cnnc.runtime.train.Evaluator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Scoring on Spark equals single-JVM inference image by image, bit for bit, and eval's accuracy. */
@org.junit.jupiter.api.Timeout(300)
class SparkScorerTest {

    @Test
    void predictionsEqualSingleJvmInference() throws Exception {
        Model m = Fixtures.model("lenet5", 64, false);
        ShippedNetwork shipped = Fixtures.ship(m);
        Network net = shipped.instantiate();
        Initializers.initialize(net, 7, Map.of());
        // the reference: another batch size, the evaluator's padding
        Model m10 = Fixtures.model("lenet5", 10, false);
        Network ref = Fixtures.local(m10);
        for (String name : List.of(net.parameterNames())) {
            System.arraycopy(net.tensor(name), 0, ref.tensor(name), 0, net.tensor(name).length);
        }
        Dataset test = Fixtures.samples().dataset(false, 10);
        Evaluation ev = Evaluator.evaluate(ref, test);
        SparkSession s = Fixtures.session("local[2]");
        try {
            List<Row> rows = new SparkScorer(s, shipped, net)
                    .predict(SparkScorer.images(s, Fixtures.samples(), false, 3, null, null), "id", "tensor", "label")
                    .orderBy("id").collectAsList();
            assertEquals(test.size(), rows.size());
            long correct = 0;
            float[] in = ref.tensor(ref.inputName());
            float[] out = ref.tensor(ref.outputName());
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                assertEquals((long) i, r.getLong(0));
                if (i % 10 == 0) {
                    test.fill(test.identity(), i, Math.min(10, test.size() - i), in, null);
                    ref.infer();
                }
                float[] want = java.util.Arrays.copyOfRange(out, (i % 10) * 10, (i % 10 + 1) * 10);
                List<Float> got = r.getList(2);
                float[] g = new float[got.size()];
                for (int c = 0; c < g.length; c++) {
                    g[c] = got.get(c);
                }
                assertArrayEquals(want, g, "probabilities of image " + i);
                assertEquals(cnnc.runtime.Classifier.argmax(want, 0, 10), r.getInt(1), "prediction of image " + i);
                assertEquals(test.label(i), r.getInt(3));
                if (r.getInt(1) == r.getInt(3)) {
                    correct++;
                }
            }
            assertEquals(ev.correct(), correct, "eval's count of correct predictions");

            // the same images as gray PNG files: the same bits as the tensors
            List<Row> png = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28,
                        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < 784; p++) {
                    img.getRaster().setSample(p % 28, p / 28, 0, Math.round(test.pixel(i, p) * 255));
                }
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                javax.imageio.ImageIO.write(img, "png", bytes);
                png.add(org.apache.spark.sql.RowFactory.create((long) i, bytes.toByteArray()));
            }
            org.apache.spark.sql.types.StructType schema = org.apache.spark.sql.types.DataTypes.createStructType(List.of(
                    org.apache.spark.sql.types.DataTypes.createStructField("id", org.apache.spark.sql.types.DataTypes.LongType, false),
                    org.apache.spark.sql.types.DataTypes.createStructField("image", org.apache.spark.sql.types.DataTypes.BinaryType, false)));
            List<Row> fromPng = new SparkScorer(s, shipped, net).predict(s.createDataFrame(png, schema), "id", "image")
                    .orderBy("id").collectAsList();
            for (int i = 0; i < fromPng.size(); i++) {
                assertEquals(rows.get(i).getList(2), fromPng.get(i).getList(2), "image " + i + " as PNG");
            }
            assertEquals(40, fromPng.size());
        } finally {
            s.stop();
        }
    }
}
