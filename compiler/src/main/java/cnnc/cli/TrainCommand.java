package cnnc.cli;

import cnnc.ir.Buffer;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Step;
import cnnc.ir.Train;
import cnnc.ops.Conv;
import cnnc.ops.Full;
import cnnc.runtime.Network;
import cnnc.runtime.data.DataFiles;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.io.TensorFile;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Optimizers;
import cnnc.runtime.optim.Schedule;
import cnnc.runtime.train.EpochResult;
import cnnc.runtime.train.Evaluation;
import cnnc.runtime.train.Progress;
import cnnc.runtime.train.Trainer;
import cnnc.runtime.train.TrainingDivergedException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc train}: compiles the model, initializes it from the train block's seed, trains it with
 * the train block's optimizer, evaluates on the test set and writes a checkpoint after every epoch.
 * Progress and epoch summaries go to stderr, the final summary to stdout.
 */
@Command(name = "train", description = "Train a model on Fashion-MNIST (or IDX files), checkpointing every epoch.")
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Mixin
    DataArgs data;

    @Mixin
    DeviceArgs device;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Total epochs, counting those a resumed checkpoint already has (default: the train block's).")
    Integer epochs;

    @Option(names = "--save", paramLabel = "W.safetensors",
            description = "Checkpoint written after every epoch (default: the --resume file, else <network>.safetensors here).")
    Path save;

    @Option(names = "--resume", paramLabel = "W.safetensors", description = "Continue from this checkpoint.")
    Path resume;

    @Override
    public Integer call() {
        device.check();
        if (epochs != null && epochs < 1) {
            throw new UserError("--epochs must be at least 1, found " + epochs);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        device.prepare();
        Model m = model.compile(model.options());
        Train settings = m.train();
        int total = epochs != null ? epochs : settings.epochs();
        DataFiles files = data.locate();
        Dataset train = DataArgs.train(files, m);
        Dataset test = DataArgs.test(files, m);
        if (train.size() < m.batch()) {
            throw new UserError("the training set in " + files.dir() + " has " + train.size() + " images, fewer than one batch of "
                    + m.batch());
        }
        Network net = device.build(m);
        try {
            String hash = GraphHash.of(m);
            Progress progress = Streams.progress(err);
            Optimizer opt = optimizer(m, net);
            Path file = checkpointFile(m);
            progress.message(String.format("training %s (%s) at batch %d on %s: %d training and %d test images, %s, %s",
                    m.name(), m.source().name(), m.batch(), files.dir(), train.size(), test.size(), opt.describe()
                            + (settings.schedule().equals("constant") ? "" : ", " + settings.schedule() + " learning-rate schedule"),
                    device.describe(net)));
            Trainer trainer = new Trainer(net, opt, train).test(test).epochs(total).seed(settings.seed()).checkpoint(file)
                    .schedule(Schedule.of(settings.schedule()))
                    .initialize(true, initKinds(m)).metadata(Map.of(GraphHash.KEY, hash, "source", m.source().name()))
                    .progress(progress);
            if (resume == null && model.isOnnx()) {
                WeightFiles.loadImported(model, net); // fine-tuning: start from the imported weights
                trainer.initialize(false, Map.of());
            }
            if (resume != null) {
                checkResumable(net, hash, progress);
                trainer.resume(resume);
            }
            List<EpochResult> results;
            try {
                results = trainer.train();
            } catch (TrainingDivergedException e) {
                throw new UserError(e.getMessage());
            } catch (SafetensorsException e) {
                throw new UserError(e.getMessage());
            }
            summarize(out, m, results, file, total, (long) (train.size() / m.batch()) * m.batch());
            return 0;
        } finally {
            DeviceArgs.release(net);
        }
    }

    /** --save, else --resume, else {@code <network>.safetensors} here; its directory must be writable. */
    private Path checkpointFile(Model m) {
        Path file = save != null ? save : resume != null ? resume : Path.of(m.name() + ".safetensors");
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new UserError("cannot write checkpoints to " + file + ": " + parent + " is not a writable directory");
        }
        return file;
    }

    /** A resume needs this very graph: its optimizer state means nothing for another, even one of equal shapes. */
    private void checkResumable(Network net, String hash, Progress progress) {
        TensorFile f = WeightFiles.read(resume, "--resume");
        String theirs = f.meta(GraphHash.KEY);
        if (theirs != null && !theirs.equals(hash)) {
            String difference = WeightFiles.firstDifference(f, net);
            throw new UserError("cannot resume from " + resume + ": it was trained for a different graph of " + f.meta("model")
                    + (difference == null ? " (every tensor's shape matches, but an operation differs)" : ": " + difference)
                    + ". Train from scratch with --save to a new file.");
        }
        WeightFiles.checkGraph(resume, f, net, hash, progress::message);
    }

    /** The train block's optimizer; booleans of the settings map are stored as 0/1. */
    static Optimizer optimizer(Model m, Network net) {
        Train t = m.train();
        Map<String, Object> args = new LinkedHashMap<>();
        t.settings().forEach((k, v) -> args.put(k, k.equals("nesterov") ? (Object) (v != 0) : (Object) v));
        try {
            return Optimizers.create(t.optimizer(), args, net);
        } catch (IllegalArgumentException e) {
            throw new UserError(m.source().name() + ": " + e.getMessage());
        }
    }

    /** Weights whose layer asks for {@code init: xavier}; the rest get he (the runtime's default). */
    static Map<String, String> initKinds(Model m) {
        Map<String, String> kinds = new LinkedHashMap<>();
        for (Step s : m.forward().steps()) {
            String init = switch (s.op()) {
                case Conv c -> c.init();
                case Full f -> f.init();
                default -> null;
            };
            if (init == null) {
                continue;
            }
            for (Buffer b : s.inputs()) {
                if (b.role() == Role.PARAMETER && b.name().endsWith(".weight")) {
                    kinds.put(b.name(), init);
                }
            }
        }
        return kinds;
    }

    private static void summarize(PrintWriter out, Model m, List<EpochResult> results, Path file, int total, long perEpoch) {
        if (results.isEmpty()) {
            out.printf("nothing to train: the checkpoint already has %d epochs or more (--epochs counts them all); weights in %s%n",
                    total, file);
            out.flush();
            return;
        }
        EpochResult last = results.get(results.size() - 1);
        double seconds = 0;
        for (EpochResult r : results) {
            seconds += r.seconds();
        }
        int first = results.get(0).epoch();
        out.printf("trained %s: epoch%s %d%s of %d in %.1f s of training steps", m.name(), results.size() == 1 ? "" : "s", first,
                results.size() == 1 ? "" : "-" + last.epoch(), total, seconds);
        if (seconds > 0) {
            out.printf(" (%.0f images/s)", results.size() * perEpoch / seconds);
        }
        out.println();
        out.printf("final train loss %.4f, train accuracy %.2f%%%n", last.trainLoss(), 100 * last.trainAccuracy());
        Evaluation e = last.test();
        if (e != null) {
            out.printf("final test accuracy %.2f%% (%d/%d), test loss %.4f%n", 100 * e.accuracy(), e.correct(), e.count(), e.meanLoss());
        }
        out.println("weights saved to " + file);
        out.flush();
    }
}
