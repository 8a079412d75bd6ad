package cnnc.cli;

import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.ir.Train;
import cnnc.runtime.Network;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Preprocessing;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Schedule;
import cnnc.runtime.train.EpochResult;
import cnnc.runtime.train.Evaluation;
import cnnc.runtime.train.Progress;
import cnnc.runtime.train.TrainingDivergedException;
import cnnc.spark.ImageSource;
import cnnc.spark.ShippedNetwork;
import cnnc.spark.SparkTrainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc train MODEL --spark MASTER}: synchronous data-parallel training on Spark
 * ({@link SparkTrainer}), with the checkpoints, resume, progress and NaN stop of {@code cnnc train}.
 */
@Command(name = "train", description = "Train a model with data-parallel SGD on Spark, checkpointing every epoch.")
final class SparkTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Mixin
    SparkArgs spark;

    @Option(names = "--epochs", paramLabel = "N", description = "Total epochs, counting those a resumed checkpoint already has.")
    Integer epochs;

    @Option(names = "--save", paramLabel = "W.safetensors", description = "Checkpoint written after every epoch (default: the --resume file, else <network>.safetensors here).")
    Path save;

    @Option(names = "--resume", paramLabel = "W.safetensors", description = "Continue from this checkpoint.")
    Path resume;

    @Option(names = "--local-steps", paramLabel = "K",
            description = "Optimizer steps each partition takes alone between parameter averages (default 1: synchronous SGD).")
    int localSteps = 1;

    @Option(names = "--stats", description = "Print time and bytes per round trip at the end.")
    boolean stats;

    @Override
    public Integer call() {
        spark.check();
        if (epochs != null && epochs < 1) {
            throw new UserError("--epochs must be at least 1, found " + epochs);
        }
        if (localSteps < 1) {
            throw new UserError("--local-steps must be at least 1, found " + localSteps);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Model m = model.compile(model.options());
        int batch = m.batch();
        int p = spark.partitions;
        if (batch % p != 0) {
            throw new UserError("the batch of " + batch + " does not split into " + p + " equal shares (--partitions " + p
                    + "): choose P dividing the batch, or --batch");
        }
        Model share = model.compile(model.options().withBatch(batch / p));
        Train settings = m.train();
        int total = epochs != null ? epochs : settings.epochs();
        int classes = DataArgs.classes(m);
        ImageSource source = spark.source(m, settings.seed());
        Dataset test = spark.read(source, false, m, classes);
        Path file = checkpointFile(m);
        String hash = GraphHash.of(m);
        ShippedNetwork shipped = spark.ship(share, hash, err);
        Network net = shipped.instantiate();
        Optimizer opt = TrainCommand.optimizer(m, net);
        Progress progress = Streams.progress(err);
        SparkSession session = spark.start("cnnc train " + m.name());
        try {
            Map<String, Object> optArgs = new LinkedHashMap<>();
            settings.settings().forEach((k, v) -> optArgs.put(k, k.equals("nesterov") ? (Object) (v != 0) : (Object) v));
            SparkTrainer trainer = new SparkTrainer(JavaSparkContext.fromSparkContext(session.sparkContext()), shipped, net, opt,
                    source, classes, p).epochs(total).seed(settings.seed()).checkpoint(file)
                    .schedule(Schedule.of(settings.schedule())).initKinds(TrainCommand.initKinds(m)).progress(progress)
                    .localSteps(localSteps, settings.optimizer(), optArgs);
            // the train block's normalization (measured over the partitions when "auto") and augmentation, as cnnc train applies them
            Preprocessing prep;
            try {
                prep = Normalize.preprocessing(settings.normalize(), trainer::measureMeanStd, test.channels(), test.height(),
                        test.width(), test.classNames());
            } catch (Exception e) { // Spark's SparkException is checked but undeclared
                throw SparkArgs.jobFailure(e);
            }
            Augment augment = Normalize.augment(settings.augment());
            trainer.normalization(prep.mean(), prep.std()).augment(augment).test(prep.apply(test));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(GraphHash.KEY, hash);
            meta.put("source", m.source().name());
            meta.putAll(prep.toMetadata());
            if (augment.active()) {
                meta.put("augment", augment.toString());
            }
            trainer.metadata(meta);
            progress.message(String.format("training %s (%s) at batch %d = %d partitions x %d on Spark %s (%d cores): %s (%s), "
                    + "%d %s images, %s%s%s%s", m.name(), m.source().name(), batch, p, batch / p, session.sparkContext().master(),
                    session.sparkContext().defaultParallelism(), source.where(), source.kind(), test.size(), source.testName(),
                    opt.describe(), augment.active() ? ", augmentation: " + augment : "",
                    prep.mean() == null ? "" : ", normalization " + prep.describeNormalization(),
                    localSteps > 1 ? ", " + localSteps + " local steps between averages" : ""));
            if (resume != null) {
                if (!Files.isRegularFile(resume)) {
                    throw new UserError("cannot resume from " + resume + ": no such file");
                }
                trainer.resume(resume);
            }
            List<EpochResult> results;
            try {
                results = trainer.train();
            } catch (TrainingDivergedException | SafetensorsException e) {
                throw new UserError(e.getMessage());
            } catch (Exception e) { // Spark's SparkException is checked but undeclared
                throw SparkArgs.jobFailure(e);
            }
            summarize(out, m, results, file, total);
            if (stats) {
                out.println("spark: " + trainer.stats());
            }
            out.flush();
            return 0;
        } finally {
            session.stop();
        }
    }

    private Path checkpointFile(Model m) {
        Path f = save != null ? save : resume != null ? resume : Path.of(m.name() + ".safetensors");
        Path parent = f.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new UserError("cannot write checkpoints to " + f + ": " + parent + " is not a writable directory");
        }
        return f;
    }

    private static void summarize(PrintWriter out, Model m, List<EpochResult> results, Path file, int total) {
        if (results.isEmpty()) {
            out.printf("nothing to train: the checkpoint already has %d epochs or more; weights in %s%n", total, file);
            return;
        }
        EpochResult last = results.get(results.size() - 1);
        double seconds = 0;
        for (EpochResult r : results) {
            seconds += r.seconds();
        }
        out.printf("trained %s on Spark: %d epoch%s to %d of %d in %.1f s%n", m.name(), results.size(),
                results.size() == 1 ? "" : "s", last.epoch(), total, seconds);
        out.printf("final train loss %.4f, train accuracy %.2f%%%n", last.trainLoss(), 100 * last.trainAccuracy());
        Evaluation e = last.test();
        if (e != null) {
            out.printf("final test accuracy %.2f%% (%d/%d), test loss %.4f%n", 100 * e.accuracy(), e.correct(), e.count(),
                    e.meanLoss());
        }
        out.println("weights saved to " + file);
    }
}
