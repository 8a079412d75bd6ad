package cnnc.spark;

import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.data.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Batch scoring: maps a {@code Dataset<Row>} of tensors to predictions with a trained network. Each
 * task (one executor thread) borrows one network instance, runs it in inference mode over its rows
 * a batch at a time (the last batch padded with zeros, whose outputs are dropped) and emits, per
 * row, the id, the predicted class (the first largest probability, as {@code cnnc eval} counts)
 * and the probabilities. Inference treats every image alone, so predictions equal
 * {@code cnnc eval}'s on the same images whatever the partitioning.
 */
public final class SparkScorer {

    private final SparkSession spark;
    private final ShippedNetwork shipped;
    private final Weights weights;
    private float[] mean;
    private float[] std;

    /** @param net an instance of {@code shipped} holding the trained weights (e.g. from {@code NetworkFiles.loadWeights}) */
    public SparkScorer(SparkSession spark, ShippedNetwork shipped, Network net) {
        this.spark = spark;
        this.shipped = shipped;
        List<String> names = new ArrayList<>();
        for (TensorSpec s : Networks.persistent(net)) {
            names.add(s.name());
        }
        this.weights = Weights.of(0, net, names);
    }

    /**
     * Normalizes decoded images (binary cells) per channel, {@code (v - mean[c]) / std[c]}, as the
     * weights were trained ({@code Preprocessing.fromMetadata}); tensor cells are taken as they are.
     */
    public SparkScorer normalization(float[] mean, float[] std) {
        this.mean = mean == null ? null : mean.clone();
        this.std = mean == null ? null : std.clone();
        return this;
    }

    /**
     * Predictions for every row of {@code in}: columns {@code idColumn} (as it was), {@code prediction}
     * (int) and {@code probabilities} (array of float), plus {@code keep}'s columns after them.
     *
     * @param tensorColumn an array of float or double, one input of C·H·W values, row-major, taken
     *                     as it is; or binary, an encoded image (PNG, JPEG, BMP, GIF: what ImageIO
     *                     reads), made the model's input as {@code cnnc predict} makes it
     *                     ({@code Preprocessing.input}: gray or RGB converted, resized, byte / 255,
     *                     then the {@link #normalization})
     */
    public Dataset<Row> predict(Dataset<Row> in, String idColumn, String tensorColumn, String... keep) {
        StructType schema = in.schema();
        List<StructField> fields = new ArrayList<>();
        fields.add(schema.apply(idColumn));
        fields.add(DataTypes.createStructField("prediction", DataTypes.IntegerType, false));
        fields.add(DataTypes.createStructField("probabilities", DataTypes.createArrayType(DataTypes.FloatType, false), false));
        List<String> columns = new ArrayList<>(List.of(idColumn, tensorColumn));
        for (String k : keep) {
            fields.add(schema.apply(k));
            columns.add(k);
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Weights> bw = sc.broadcast(weights);
        ShippedNetwork s = shipped;
        int extra = keep.length;
        float[] m = mean;
        float[] d = std;
        JavaRDD<Row> rows = in.selectExpr(columns.toArray(new String[0])).javaRDD()
                .mapPartitions(it -> new Batches(s, bw.value(), it, extra, m, d));
        return spark.createDataFrame(rows, DataTypes.createStructType(fields));
    }

    /** Rows in, one batch of inference at a time, predictions out. */
    private static final class Batches implements Iterator<Row> {
        private final ShippedNetwork shipped;
        private final Weights weights;
        private final Iterator<Row> in;
        private final int extra;
        private final float[] mean;
        private final float[] std;
        private final List<Row> pending = new ArrayList<>();
        private int next;
        private Network net;
        private Preprocessing prep;

        Batches(ShippedNetwork shipped, Weights weights, Iterator<Row> in, int extra, float[] mean, float[] std) {
            this.shipped = shipped;
            this.weights = weights;
            this.in = in;
            this.extra = extra;
            this.mean = mean;
            this.std = std;
        }

        @Override
        public boolean hasNext() {
            if (next < pending.size()) {
                return true;
            }
            pending.clear();
            next = 0;
            if (!in.hasNext()) {
                if (net != null) {
                    shipped.giveBack(net);
                    net = null;
                }
                return false;
            }
            runBatch();
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return pending.get(next++);
        }

        /** An encoded image as {@code cnnc predict} makes it the model's input. */
        private float[] decode(byte[] encoded, Object id) {
            BufferedImage img;
            try {
                img = ImageIO.read(new ByteArrayInputStream(encoded));
            } catch (IOException e) {
                throw new UncheckedIOException("row " + id + ": " + e.getMessage(), e);
            }
            if (img == null) {
                throw new IllegalArgumentException("row " + id + ": not an image ImageIO can read");
            }
            try {
                return prep.input(img, "row " + id);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void runBatch() {
            if (net == null) {
                net = shipped.borrow();
                weights.into(net);
                int[] shape = Networks.spec(net, net.inputName()).shape();
                prep = new Preprocessing(shape[1], shape[2], shape[3], mean, std, List.of());
            }
            float[] input = net.tensor(net.inputName());
            float[] out = net.tensor(net.outputName());
            int batch = net.batch();
            int px = input.length / batch;
            int k = out.length / batch;
            List<Row> rows = new ArrayList<>(batch);
            while (rows.size() < batch && in.hasNext()) {
                Row r = in.next();
                int off = rows.size() * px;
                Object cell = r.get(1);
                if (cell instanceof byte[] encoded) {
                    System.arraycopy(decode(encoded, r.get(0)), 0, input, off, px);
                } else {
                    List<Object> v = r.getList(1);
                    if (v.size() != px) {
                        throw new IllegalArgumentException("row " + r.get(0) + " has a tensor of " + v.size() + " values; "
                                + net.name() + " takes " + px);
                    }
                    for (int i = 0; i < px; i++) {
                        input[off + i] = ((Number) v.get(i)).floatValue();
                    }
                }
                rows.add(r);
            }
            java.util.Arrays.fill(input, rows.size() * px, input.length, 0f);
            net.infer();
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                float[] p = java.util.Arrays.copyOfRange(out, i * k, (i + 1) * k);
                Object[] values = new Object[3 + extra];
                values[0] = r.get(0);
                values[1] = cnnc.runtime.Classifier.argmax(out, i * k, k);
                Float[] boxed = new Float[k];
                for (int c = 0; c < k; c++) {
                    boxed[c] = p[c];
                }
                values[2] = boxed;
                for (int e = 0; e < extra; e++) {
                    values[3 + e] = r.get(2 + e);
                }
                pending.add(RowFactory.create(values));
            }
        }
    }

    /**
     * Rows {@code id} (long, the image's index in its split), {@code label} (int) and {@code tensor}
     * (array of float: the network's input, {@code prep.input} of the decoded bytes, as
     * {@code cnnc eval} fills it) of the training or test split of {@code source}, read and decoded
     * on the executors in {@code partitions} contiguous ranges.
     */
    public static Dataset<Row> images(SparkSession spark, ImageSource source, boolean train, int partitions, float[] mean,
            float[] std) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        int parts = partitions;
        JavaRDD<Row> rows = sc.parallelize(ids, parts).flatMap(p -> {
            ImageSource.Part part = source.read(train, n -> {
                int from = (int) ((long) p * n / parts);
                int to = (int) ((long) (p + 1) * n / parts);
                int[] range = new int[to - from];
                for (int i = 0; i < range.length; i++) {
                    range[i] = from + i;
                }
                return range;
            });
            Preprocessing prep = new Preprocessing(part.channels(), part.height(), part.width(), mean, std, List.of());
            int px = part.channels() * part.height() * part.width();
            List<Row> out = new ArrayList<>(part.size());
            for (int i = 0; i < part.size(); i++) {
                float[] v = prep.input(java.util.Arrays.copyOfRange(part.pixels(), i * px, (i + 1) * px));
                Float[] t = new Float[px];
                for (int q = 0; q < px; q++) {
                    t[q] = v[q];
                }
                out.add(RowFactory.create((long) part.ids()[i], part.labels()[i], t));
            }
            return out.iterator();
        });
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("id", DataTypes.LongType, false),
                DataTypes.createStructField("label", DataTypes.IntegerType, false),
                DataTypes.createStructField("tensor", DataTypes.createArrayType(DataTypes.FloatType, false), false)));
        return spark.createDataFrame(rows, schema);
    }
}
