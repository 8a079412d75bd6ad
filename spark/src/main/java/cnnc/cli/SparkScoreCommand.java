package cnnc.cli;

import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.data.Preprocessing;
import cnnc.runtime.io.TensorFile;
import cnnc.spark.ImageSource;
import cnnc.spark.ShippedNetwork;
import cnnc.spark.SparkScorer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc score MODEL --weights W --data D --spark MASTER -o OUT}: predictions for every image of
 * the test (or training) set, written by Spark as CSV ({@code id,label,prediction,p0..pK-1}) or
 * Parquet ({@code id,label,prediction,probabilities}), ordered by image id.
 */
@Command(name = "score", description = "Predict every image of a data set on Spark; write CSV or Parquet.")
final class SparkScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Mixin
    SparkArgs spark;

    @Option(names = "--weights", paramLabel = "W.safetensors", required = true, description = "The trained weights (a checkpoint will do).")
    Path weights;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true,
            description = "Output directory (Spark writes part files), a local path or a URI; it must not exist.")
    String output;

    @Option(names = "--format", paramLabel = "csv|parquet", description = "Default: parquet if OUT ends in .parquet, else csv.")
    String format;

    @Option(names = "--set", paramLabel = "test|train", description = "Which images to score (default test).")
    String set = "test";

    @Override
    public Integer call() {
        spark.check();
        String fmt = format != null ? format : output.endsWith(".parquet") ? "parquet" : "csv";
        if (!fmt.equals("csv") && !fmt.equals("parquet")) {
            throw new UserError("--format must be csv or parquet, found '" + fmt + "'");
        }
        if (!set.equals("test") && !set.equals("train")) {
            throw new UserError("--set must be test or train, found '" + set + "'");
        }
        refuseExisting(output);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Model m = model.compile(model.options().withTraining(false));
        int classes = DataArgs.classes(m);
        ImageSource source = spark.source(m, m.train().seed()); // a missing data path before anything else
        ShippedNetwork shipped = spark.ship(m, null, err);
        Network net = shipped.instantiate();
        TensorFile f = WeightFiles.load(weights, net, GraphHash.of(m), w -> {
            err.println("cnnc: " + w);
            err.flush();
        });
        // the normalization the weights were trained with, and their seed for an image folder's validation split, as cnnc eval
        Preprocessing prep = WeightFiles.preprocessing(weights, f, m);
        long seed = EvalCommand.seed(f, m);
        if (seed != m.train().seed()) {
            source = spark.source(m, seed);
        }
        SparkSession session = spark.start("cnnc score " + m.name());
        try {
            Dataset<Row> images = SparkScorer.images(session, source, set.equals("train"), spark.partitions, prep.mean(), prep.std());
            Dataset<Row> scored = new SparkScorer(session, shipped, net).predict(images, "id", "tensor", "label")
                    .select("id", "label", "prediction", "probabilities").orderBy("id");
            long start = System.nanoTime();
            try {
                if (fmt.equals("parquet")) {
                    scored.write().parquet(output);
                } else {
                    Column[] cols = new Column[3 + classes];
                    cols[0] = functions.col("id");
                    cols[1] = functions.col("label");
                    cols[2] = functions.col("prediction");
                    for (int c = 0; c < classes; c++) {
                        cols[3 + c] = functions.col("probabilities").getItem(c).alias("p" + c);
                    }
                    scored.select(cols).coalesce(1).write().option("header", "true").csv(output);
                }
            } catch (Exception e) { // Spark's SparkException is checked but undeclared
                throw SparkArgs.jobFailure(e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Dataset<Row> written = fmt.equals("parquet") ? session.read().parquet(output)
                    : session.read().option("header", "true").option("inferSchema", "true").csv(output);
            long n = written.count();
            long correct = written.filter("label = prediction").count();
            out.printf("scored %d %s images of %s with %s in %.1f s: accuracy %.2f%% (%d/%d); %s written to %s%n", n,
                    set.equals("train") ? "training" : source.testName(), source.where(), weights, seconds, 100.0 * correct / Math.max(1, n), correct, n, fmt, output);
            out.flush();
            return 0;
        } finally {
            session.stop();
        }
    }

    /** Never write over what exists: Spark would fail late, or with mode overwrite delete it. */
    private static void refuseExisting(String output) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(output);
            if (p.getFileSystem(new Configuration()).exists(p)) {
                throw new UserError(output + " exists; score writes a new directory and never replaces one (choose another -o)");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("cannot use -o " + output + ": " + e.getMessage());
        }
    }
}
