package cnnc.runtime.train;

import cnnc.runtime.Classifier;
import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.init.Initializers;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Schedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains a {@link Network} with an {@link Optimizer} on a {@link Dataset}: per epoch, a seeded
 * shuffle ({@link Dataset#order}), full batches only (the last partial batch is dropped), forward,
 * backward and an optimizer step per batch; then a check that every weight is finite, an
 * evaluation on the test set, and an atomically written checkpoint.
 *
 * <p>Determinism: everything depends only on the seed, the data and the model, so the same
 * settings give bit-identical weights, and resuming from the checkpoint of epoch e gives the
 * same weights as never having stopped (the checkpoint holds weights, running statistics and
 * optimizer state, and epoch e+1's shuffle depends on the seed and e+1 only).
 *
 * <p>A NaN or infinite loss or weight stops training with {@link TrainingDivergedException}
 * before the next checkpoint, so the last good checkpoint stays as it was.
 */
public final class Trainer {

    /** Metadata key that identifies the compiled graph; a resume across graphs is refused. */
    public static final String GRAPH_HASH = "graph_hash";

    private final Network net;
    private final Optimizer opt;
    private final Dataset train;
    private Dataset test;
    private int epochs = 1;
    private long seed = 1;
    private Path checkpoint;
    private Path resume;
    private boolean initialize = true;
    private Map<String, String> initKinds = Collections.emptyMap();
    private Map<String, String> metadata = Collections.emptyMap();
    private Progress progress = Progress.silent();
    private Schedule schedule = Schedule.CONSTANT;
    private Augment augment = Augment.NONE;
    private Path best;
    private double bestAccuracy = -1;
    private Consumer<EpochResult> onEpoch = r -> { };
    private double loaderImagesPerSecond;
    private double loaderWaitSeconds;

    public Trainer(Network net, Optimizer opt, Dataset train) {
        this.net = net;
        this.opt = opt;
        this.train = train;
    }

    /** Evaluates on this set after every epoch (default: none). */
    public Trainer test(Dataset test) {
        this.test = test;
        return this;
    }

    /** Total number of epochs, counting those done before a resume (default 1). */
    public Trainer epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    /** Seed of initialization and shuffling (default 1); a resume uses the checkpoint's seed. */
    public Trainer seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Writes a checkpoint here after every epoch (default: the resume file, else none). */
    public Trainer checkpoint(Path file) {
        this.checkpoint = file;
        return this;
    }

    /** Continues from this checkpoint, at the epoch after the one it records. */
    public Trainer resume(Path file) {
        this.resume = file;
        return this;
    }

    /**
     * Initializers per weight name (see {@link Initializers}); with {@code initialize false} the
     * network's current weights are trained as they are. Ignored on resume.
     */
    public Trainer initialize(boolean initialize, Map<String, String> kinds) {
        this.initialize = initialize;
        this.initKinds = kinds;
        return this;
    }

    /** Extra checkpoint metadata, e.g. {@code graph_hash}. */
    public Trainer metadata(Map<String, String> metadata) {
        this.metadata = metadata;
        return this;
    }

    /**
     * The learning-rate schedule over the whole run (default constant): step {@code s} of epoch
     * {@code e} gets {@code schedule.factor(e·steps + s, epochs·steps)}, also after a resume.
     */
    public Trainer schedule(Schedule schedule) {
        this.schedule = schedule;
        return this;
    }

    /** Augmentation of the training images (default none); evaluation never augments. */
    public Trainer augment(Augment augment) {
        this.augment = augment;
        return this;
    }

    /**
     * Also writes the weights (no optimizer state, the checkpoint's metadata) here after every epoch
     * whose test accuracy beats every earlier epoch of this call (default: none; needs a test set).
     */
    public Trainer best(Path file) {
        this.best = file;
        return this;
    }

    /** Called after every epoch, once its checkpoint is written (a report, a log). */
    public Trainer onEpoch(Consumer<EpochResult> listener) {
        this.onEpoch = listener;
        return this;
    }

    /** The background loader's images/s over the epochs of the last {@link #train()} (filling time only). */
    public double loaderImagesPerSecond() {
        return loaderImagesPerSecond;
    }

    /** Seconds the last {@link #train()} waited for the loader. */
    public double loaderWaitSeconds() {
        return loaderWaitSeconds;
    }

    /** Where progress goes (default: nowhere; the command line passes {@link Progress#stderr()}). */
    public Trainer progress(Progress progress) {
        this.progress = progress;
        return this;
    }

    /**
     * Trains the remaining epochs.
     *
     * @return one result per epoch trained in this call (none if the checkpoint is already done)
     * @throws TrainingDivergedException on a NaN or infinite loss or weight
     * @throws SafetensorsException if the resume checkpoint is unusable or a checkpoint cannot be written
     * @throws IllegalArgumentException if the data does not fit the model
     */
    public List<EpochResult> train() {
        Evaluator.checkFits(net, train);
        if (test != null) {
            Evaluator.checkFits(net, test);
        }
        int steps = train.size() / net.batch();
        if (steps == 0) {
            throw new IllegalArgumentException("the training set has " + train.size()
                    + " images, fewer than one batch of " + net.batch());
        }
        int start = 0;
        long runSeed = seed;
        Path save = checkpoint != null ? checkpoint : resume;
        String lastGood = null;
        if (resume != null) {
            Map<String, String> meta = Checkpoint.load(resume, net, opt);
            start = intMeta(meta, Checkpoint.EPOCH);
            runSeed = seedOf(meta);
            checkSameGraph(meta);
            lastGood = resume + " (after epoch " + start + ")";
            progress.message(start >= epochs ? "nothing to do: " + resume + " already has " + start + " of "
                    + epochs + " epochs" : "resuming " + net.name() + " from " + lastGood);
        } else if (initialize) {
            Initializers.initialize(net, runSeed, initKinds);
        }
        List<EpochResult> results = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(train, augment, runSeed, net.batch())) {
            for (int e = start; e < epochs; e++) {
                double[] stats = runEpoch(e, runSeed, steps, lastGood, loader);
                double seconds = progress.epochSeconds();
                checkWeights(e, lastGood);
                Evaluation ev = test != null ? Evaluator.evaluate(net, test) : null;
                if (save != null) {
                    Checkpoint.save(save, net, opt, checkpointMetadata(e + 1, runSeed));
                    lastGood = save + " (after epoch " + (e + 1) + ")";
                }
                if (best != null && ev != null && ev.accuracy() > bestAccuracy) {
                    bestAccuracy = ev.accuracy();
                    Map<String, String> meta = checkpointMetadata(e + 1, runSeed);
                    NetworkFiles.saveWeights(net, best, meta);
                }
                EpochResult result = new EpochResult(e + 1, stats[0], stats[1], ev, seconds);
                results.add(result);
                progress.message(summary(e + 1, stats, ev, seconds, save));
                onEpoch.accept(result);
            }
            loaderImagesPerSecond = loader.imagesPerSecond();
            loaderWaitSeconds = loader.waitSeconds();
        }
        return results;
    }

    /** One epoch; returns {mean loss, accuracy}. */
    private double[] runEpoch(int e, long runSeed, int steps, String lastGood, BatchLoader loader) {
        int batch = net.batch();
        int k = train.classes();
        int[] order = train.order(runSeed, e);
        float[] input = net.tensor(net.inputName());
        float[] target = net.tensor(net.targetName());
        float[] out = net.tensor(net.outputName());
        progress.startEpoch(e + 1, epochs, steps);
        loader.start(order, e, steps);
        double lossSum = 0;
        long correct = 0;
        for (int s = 0; s < steps; s++) {
            loader.next(s, input, target);
            net.setStep((long) e * steps + s); // dropout's masks: the same on a resumed run
            net.forward();
            float loss = net.loss();
            if (!Float.isFinite(loss)) {
                throw diverged(e, s, steps, "the loss is " + loss, lastGood);
            }
            lossSum += loss;
            for (int r = 0; r < batch; r++) {
                if (Classifier.argmax(out, r * k, k) == train.label(order[s * batch + r])) {
                    correct++;
                }
            }
            net.backward();
            opt.setLearningRateFactor(schedule.factor((long) e * steps + s, (long) epochs * steps));
            opt.step();
            progress.step(s + 1, batch, lossSum / (s + 1), correct / ((s + 1.0) * batch));
        }
        return new double[] {lossSum / steps, correct / ((double) steps * batch)};
    }

    private void checkWeights(int e, String lastGood) {
        for (TensorSpec spec : Networks.persistent(net)) {
            float[] w = net.tensor(spec.name());
            for (int i = 0; i < w.length; i++) {
                if (!Float.isFinite(w[i])) {
                    throw diverged(e, -1, 0, spec.name() + "[" + i + "] is " + w[i], lastGood);
                }
            }
        }
    }

    private TrainingDivergedException diverged(int e, int step, int steps, String what, String lastGood) {
        String when = step >= 0 ? "in epoch " + (e + 1) + " at step " + (step + 1) + "/" + steps
                : "in epoch " + (e + 1);
        String kept = lastGood != null ? " The last good checkpoint, " + lastGood + ", is unchanged."
                : " No checkpoint was written.";
        return new TrainingDivergedException("training diverged " + when + ": " + what + "." + kept
                + " Try a smaller learning rate (" + opt.describe() + ").");
    }

    private Map<String, String> checkpointMetadata(int epochsDone, long runSeed) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Checkpoint.EPOCH, Integer.toString(epochsDone));
        m.put(Checkpoint.SEED, Long.toString(runSeed));
        m.put("optim.settings", opt.describe());
        m.put("optim.schedule", schedule.label());
        m.putAll(metadata);
        return m;
    }

    private int intMeta(Map<String, String> meta, String key) {
        try {
            return Integer.parseInt(meta.get(key));
        } catch (NumberFormatException e) {
            throw new SafetensorsException(resume, "metadata " + key + " is missing or not a number: " + meta.get(key));
        }
    }

    private long seedOf(Map<String, String> meta) {
        String s = meta.get(Checkpoint.SEED);
        if (s == null) {
            return seed;
        }
        try {
            long fileSeed = Long.parseLong(s);
            if (fileSeed != seed) {
                progress.message("note: continuing with the checkpoint's seed " + fileSeed + ", not " + seed);
            }
            return fileSeed;
        } catch (NumberFormatException e) {
            throw new SafetensorsException(resume, "metadata seed is not a number: " + s);
        }
    }

    private void checkSameGraph(Map<String, String> meta) {
        String mine = metadata.get(GRAPH_HASH);
        String theirs = meta.get(GRAPH_HASH);
        if (mine != null && theirs != null && !mine.equals(theirs)) {
            throw new SafetensorsException(resume, "checkpoint of a different graph of " + net.name()
                    + " (graph_hash " + theirs + ", the model now has " + mine + ")");
        }
    }

    private String summary(int epoch, double[] stats, Evaluation ev, double seconds, Path save) {
        StringBuilder b = new StringBuilder(String.format("epoch %d/%d: train loss %.4f acc %.2f%%", epoch, epochs,
                stats[0], 100 * stats[1]));
        if (ev != null) {
            b.append(String.format(" | test loss %.4f acc %.2f%%", ev.meanLoss(), 100 * ev.accuracy()));
        }
        b.append(String.format(" | %.1f s", seconds));
        if (save != null) {
            b.append(" | saved ").append(save);
        }
        return b.toString();
    }
}
