package cnnc.cli;

import cnnc.backend.java.JavaBackend;
import cnnc.ir.Buffer;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.ir.Train;
import cnnc.runtime.Network;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Preprocessing;
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
@Command(name = "train", description = "Train a model on Fashion-MNIST, IDX files, an image folder or CIFAR, checkpointing every epoch into a new run directory (or --save).")
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
            description = "Write the checkpoint to exactly this file after every epoch (default: a new run directory runs/<network>/<n>/).")
    Path save;

    @Option(names = "--resume", paramLabel = "RUN|W.safetensors",
            description = "Continue from this checkpoint, or from a run directory's last.safetensors; the run goes to a new run directory "
                    + "(or --save), never back into the file it came from.")
    Path resume;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Write the training report (curves, confusion matrix, model graph, index.html) here; on by default in a run "
                    + "directory (its report/), off with --save unless given.")
    Path report;

    @Option(names = "--runs", paramLabel = "DIR", description = "Where run directories are made (default: runs in the working directory).")
    Path runs = Path.of("runs");

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
        Path resumeFile = RunDir.checkpointOf(resume);
        Inputs inputs = new Inputs().file("the model", model.model).file("the --resume checkpoint", resumeFile)
                .dir("the --data folder", dataDir());
        inputs.check("--save", save);
        inputs.check("--cache", data.cache);
        inputs.checkDir("--report", report, TrainingReport.FILES);
        if (save != null) {
            checkWritable(save);
        }
        DataSets.Loaded loaded = DataSets.load(data, m, settings.seed(), device.threads());
        Dataset train = loaded.train();
        Dataset test = loaded.test();
        if (train.size() < m.batch()) {
            throw new UserError("the training set in " + loaded.where() + " has " + train.size() + " images, fewer than one batch of "
                    + m.batch());
        }
        Preprocessing prep = Normalize.preprocessing(settings.normalize(), train, m);
        train = prep.apply(train);
        test = prep.apply(test);
        DeviceArgs.Built built = device.buildTimed(m, JavaBackend.Memory.SHARED);
        Network net = built.network();
        try {
            String hash = GraphHash.of(m);
            Optimizer opt = optimizer(m, net);
            if (resume != null) {
                checkResumable(net, hash, Streams.progress(err), resumeFile);
            }
            Path run = save == null ? RunDir.create(runs, m.name()) : null;
            Path file = run != null ? run.resolve(RunDir.LAST) : save;
            Path reportDir = report != null ? report : run != null ? run.resolve(RunDir.REPORT) : null;
            if (run != null) {
                RunDir.record(run, model.sourceBytes(), spec.commandLine().getParseResult().originalArgs());
            }
            Progress progress = run != null ? Streams.progress(err, run.resolve(RunDir.LOG)) : Streams.progress(err);
            if (run != null) {
                progress.message("run directory " + run + " (checkpoint " + RunDir.LAST + ", best weights " + RunDir.BEST + ", report "
                        + RunDir.REPORT + "/, log " + RunDir.LOG + ")");
            }
            for (String note : loaded.notes()) {
                progress.message(note);
            }
            Augment augment = Normalize.augment(settings.augment());
            progress.message(String.format("training %s (%s) at batch %d on %s (%s): %d training and %d %s images, %s, %s",
                    m.name(), m.source().name(), m.batch(), loaded.where(), loaded.kind(), train.size(), test.size(), loaded.testName(),
                    opt.describe() + (settings.schedule().equals("constant") ? "" : ", " + settings.schedule() + " learning-rate schedule")
                            + (augment.active() ? ", augmentation: " + augment : "")
                            + (prep.mean() == null ? "" : ", normalization " + prep.describeNormalization()),
                    device.describe(net)));
            String made = built.describe();
            if (made != null) {
                progress.message(made);
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(GraphHash.KEY, hash);
            meta.put("source", m.source().name());
            meta.putAll(prep.toMetadata());
            if (augment.active()) {
                meta.put("augment", augment.toString());
            }
            Trainer trainer = new Trainer(net, opt, train).test(test).epochs(total).seed(settings.seed()).checkpoint(file)
                    .schedule(Schedule.of(settings.schedule())).augment(augment)
                    .initialize(true, initKinds(m)).metadata(meta)
                    .progress(progress);
            if (run != null) {
                trainer.best(run.resolve(RunDir.BEST));
            }
            if (resume == null && model.isOnnx()) {
                WeightFiles.loadImported(model, net); // fine-tuning: start from the imported weights
                trainer.initialize(false, Map.of());
            }
            if (reportDir != null) {
                TrainingReport r = new TrainingReport(reportDir, m, train.classNames(), loaded.testName(),
                        m.name() + " on " + loaded.where() + (run != null ? " (" + run + ")" : ""));
                trainer.onEpoch(r::epoch);
            }
            if (resume != null) {
                trainer.resume(resumeFile);
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
            out.printf("loader: %.0f images/s filling batches in the background (training waited %.2f s for it)%s%n",
                    trainer.loaderImagesPerSecond(), trainer.loaderWaitSeconds(),
                    loaded.decoded() > 0 ? String.format(", decoded %d images at %.0f images/s", loaded.decoded(), loaded.decodeImagesPerSecond()) : "");
            if (reportDir != null && !results.isEmpty()) {
                out.println("report: " + reportDir.resolve("index.html"));
            }
            if (run != null) {
                out.println("run directory " + run);
            }
            out.flush();
            return 0;
        } finally {
            DeviceArgs.release(net);
        }
    }

    /** The --data value when it names an existing folder or file (an input no output may land in). */
    private Path dataDir() {
        Path p = Path.of(data.spec());
        return Files.exists(p) ? p : null;
    }

    /** The directory of --save must exist and be writable. */
    private static void checkWritable(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new UserError("cannot write checkpoints to " + file + ": " + parent + " is not a writable directory");
        }
    }

    /** A resume needs this very graph: its optimizer state means nothing for another, even one of equal shapes. */
    private void checkResumable(Network net, String hash, Progress progress, Path resume) {
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

    /** The initializer of every drawn weight, as its operation declared it (the generated class says the same). */
    static Map<String, String> initKinds(Model m) {
        Map<String, String> kinds = new LinkedHashMap<>();
        for (Buffer b : m.forward().sources()) {
            if (b.init().random()) {
                kinds.put(b.name(), b.init().word());
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
