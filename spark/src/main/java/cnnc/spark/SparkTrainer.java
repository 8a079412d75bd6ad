package cnnc.spark;

import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.init.Initializers;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Schedule;
import cnnc.runtime.train.Checkpoint;
import cnnc.runtime.train.EpochResult;
import cnnc.runtime.train.Evaluation;
import cnnc.runtime.train.Evaluator;
import cnnc.runtime.train.Progress;
import cnnc.runtime.train.Trainer;
import cnnc.runtime.train.TrainingDivergedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Synchronous data-parallel training on Spark, the distributed twin of {@link Trainer}: the
 * training set is split into P fixed, seeded partitions ({@link Shard}); every step the driver
 * broadcasts the current weights, each partition runs the shipped network on its share
 * {@code b = B/P} of the global batch B and returns its gradients, loss and count; the driver adds
 * the partial results in partition order (never arrival order) weighted by count, applies the
 * optimizer and the schedule, and merges the bn running statistics the same way.
 *
 * <p>The result depends on the seed, the data, the model and P, never on the number of executors,
 * their cores or task placement: a rerun task gives the same bits. Without bn it equals one
 * network of batch B trained on the same global batches ({@link Shard#globalOrder}) up to float
 * rounding; with bn each partition normalizes over its own b images (as data-parallel training
 * without synchronized batch norm does).
 *
 * <p>With {@code localSteps(k > 1)} each partition instead runs k optimizer steps on its own
 * images from the broadcast weights and optimizer state, and the driver averages parameters,
 * running statistics and optimizer state (count-weighted, partition order): k times fewer
 * round trips for a model that no longer equals single-machine training.
 */
public final class SparkTrainer {

    /** Called after every update with the driver's network (weights and running statistics). */
    public interface StepListener {
        void afterStep(int epoch, int step, Network net);
    }

    private final JavaSparkContext sc;
    private final ShippedNetwork shipped;
    private final Network net;
    private final Optimizer opt;
    private final ImageSource source;
    private final int classes;
    private final int partitions;
    private String optKind;
    private Map<String, Object> optArgs;
    private int localSteps = 1;
    private Dataset test;
    private int epochs = 1;
    private long seed = 1;
    private Path checkpoint;
    private Path resume;
    private Map<String, String> initKinds = Collections.emptyMap();
    private Map<String, String> metadata = Collections.emptyMap();
    private Progress progress = Progress.silent();
    private Schedule schedule = Schedule.CONSTANT;
    private StepListener listener;
    private float[] mean;
    private float[] std;
    private Augment augment = Augment.NONE;
    private JavaRDD<Shard> shards;
    private final SparkStats stats = new SparkStats();

    /**
     * @param net        the driver's instance of {@code shipped} (batch b = B/P), which {@code opt} updates
     * @param partitions P; the global batch is {@code P * shipped.batch()}
     */
    public SparkTrainer(JavaSparkContext sc, ShippedNetwork shipped, Network net, Optimizer opt, ImageSource source,
            int classes, int partitions) {
        this.sc = sc;
        this.shipped = shipped;
        this.net = net;
        this.opt = opt;
        this.source = source;
        this.classes = classes;
        this.partitions = partitions;
    }

    public SparkTrainer test(Dataset test) {
        this.test = test;
        return this;
    }

    public SparkTrainer epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    public SparkTrainer seed(long seed) {
        this.seed = seed;
        return this;
    }

    public SparkTrainer checkpoint(Path file) {
        this.checkpoint = file;
        return this;
    }

    public SparkTrainer resume(Path file) {
        this.resume = file;
        return this;
    }

    public SparkTrainer initKinds(Map<String, String> kinds) {
        this.initKinds = kinds;
        return this;
    }

    public SparkTrainer metadata(Map<String, String> metadata) {
        this.metadata = metadata;
        return this;
    }

    public SparkTrainer schedule(Schedule schedule) {
        this.schedule = schedule;
        return this;
    }

    public SparkTrainer progress(Progress progress) {
        this.progress = progress;
        return this;
    }

    public SparkTrainer listener(StepListener listener) {
        this.listener = listener;
        return this;
    }

    /**
     * Local steps with parameter averaging every {@code k} steps (1, the default, is synchronous
     * SGD); the executors rebuild the optimizer from {@code kind} and {@code args} (as
     * {@code Optimizers.create} takes them).
     */
    public SparkTrainer localSteps(int k, String kind, Map<String, Object> args) {
        this.localSteps = k;
        this.optKind = kind;
        this.optArgs = args;
        return this;
    }

    /** Normalizes the training images per channel, {@code (v - mean[c]) / std[c]}, as {@code Dataset.normalized} does. */
    public SparkTrainer normalization(float[] mean, float[] std) {
        this.mean = mean == null ? null : mean.clone();
        this.std = mean == null ? null : std.clone();
        return this;
    }

    /** Augments the training images as {@code Trainer.augment} does, each by its index in the training set. */
    public SparkTrainer augment(Augment augment) {
        this.augment = augment;
        return this;
    }

    /**
     * The mean and population standard deviation of each channel's pixels ({@code byte / 255}) over
     * the training set, from exact integer sums of the partitions: {@code {mean[], std[]}}. The
     * same for every P and cluster; it may differ from {@code Dataset.measureMeanStd}, which sums
     * floats in double in image order, in the last bit.
     */
    public float[][] measureMeanStd() {
        List<long[][]> sums = shards().map(Shard::channelSums).collect();
        int c = sums.get(0)[0].length;
        long[] s = new long[c];
        long[] q = new long[c];
        long values = 0;
        for (int p = 0; p < sums.size(); p++) {
            values += sums.get(p)[2][0];
            for (int k = 0; k < c; k++) {
                s[k] += sums.get(p)[0][k];
                q[k] += sums.get(p)[1][k];
            }
        }
        float[] m = new float[c];
        float[] d = new float[c];
        double n = Math.max(1.0, (double) values);
        for (int k = 0; k < c; k++) {
            double mu = s[k] / 255.0 / n;
            m[k] = (float) mu;
            d[k] = (float) Math.sqrt(Math.max(0, q[k] / (255.0 * 255.0) / n - mu * mu));
        }
        return new float[][] {m, d};
    }

    /** Time and bytes of the steps so far. */
    public SparkStats stats() {
        return stats;
    }

    /** Trains the remaining epochs, as {@link Trainer#train()} does (same checkpoints, resume and NaN stop). */
    public List<EpochResult> train() {
        int share = shipped.batch();
        int batch = share * partitions;
        JavaRDD<Shard> shards = shards();
        List<String> skipped = shards.flatMap(sh -> sh.skipped().iterator()).collect();
        if (!skipped.isEmpty()) {
            progress.message("skipped " + skipped.size() + " unreadable file" + (skipped.size() == 1 ? "" : "s") + " (--skip-bad), e.g. "
                    + skipped.get(0));
        }
        int steps = Integer.MAX_VALUE;
        for (int n : shards.map(Shard::size).collect()) {
            steps = Math.min(steps, n / share);
        }
        if (steps == 0) {
            throw new IllegalArgumentException("a partition has fewer images than its share " + share + " of a batch of "
                    + batch + " (" + partitions + " partitions)");
        }
        int start = 0;
        long runSeed = seed;
        Path save = checkpoint != null ? checkpoint : resume;
        String lastGood = null;
        if (resume != null) {
            Map<String, String> meta = Checkpoint.load(resume, net, opt);
            start = Integer.parseInt(meta.getOrDefault(Checkpoint.EPOCH, "0"));
            runSeed = Long.parseLong(meta.getOrDefault(Checkpoint.SEED, Long.toString(seed)));
            String theirs = meta.get(Trainer.GRAPH_HASH);
            String mine = metadata.get(Trainer.GRAPH_HASH);
            if (mine != null && theirs != null && !mine.equals(theirs)) {
                throw new SafetensorsException(resume, "checkpoint of a different graph of " + net.name());
            }
            lastGood = resume + " (after epoch " + start + ")";
            progress.message(start >= epochs ? "nothing to do: " + resume + " already has " + start + " of " + epochs
                    + " epochs" : "resuming " + net.name() + " from " + lastGood);
            if (runSeed != seed) {
                shards.unpersist();
                this.shards = null;
                seed = runSeed;
                shards = shards();
            }
        } else {
            Initializers.initialize(net, runSeed, initKinds);
        }
        List<EpochResult> results = new ArrayList<>();
        try {
            for (int e = start; e < epochs; e++) {
                double[] epochStats = runEpoch(shards, e, runSeed, steps, share, lastGood);
                double seconds = progress.epochSeconds();
                checkWeights(e, lastGood);
                Evaluation ev = test != null ? Evaluator.evaluate(net, test) : null;
                if (save != null) {
                    Checkpoint.save(save, net, opt, checkpointMetadata(e + 1, runSeed));
                    lastGood = save + " (after epoch " + (e + 1) + ")";
                }
                results.add(new EpochResult(e + 1, epochStats[0], epochStats[1], ev, seconds));
                progress.message(summary(e + 1, epochStats, ev, seconds, save));
            }
        } finally {
            shards.unpersist();
            this.shards = null;
            shipped.release();
        }
        return results;
    }

    /** The partitions of the training set, read on the executors once and cached there. */
    private JavaRDD<Shard> shards() {
        if (shards != null) {
            return shards;
        }
        ImageSource src = source;
        long s = seed;
        int parts = partitions;
        int k = classes;
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            ids.add(p);
        }
        shards = sc.parallelize(ids, parts).map(p -> Shard.load(src, true, s, parts, p, k))
                .persist(StorageLevel.MEMORY_ONLY());
        return shards;
    }

    /** One epoch; returns {mean loss, accuracy}. */
    private double[] runEpoch(JavaRDD<Shard> shards, int e, long runSeed, int steps, int share, String lastGood) {
        List<String> persistent = names(Networks.persistent(net));
        String[] params = net.parameterNames();
        String[] state = names(Networks.withRole(net, TensorSpec.Role.STATE)).toArray(new String[0]);
        progress.startEpoch(e + 1, epochs, steps);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        int k = Math.max(1, localSteps);
        for (int s = 0; s < steps; s += k) {
            int n = Math.min(k, steps - s);
            long version = (long) e * steps + s;
            double[] factors = null;
            if (localSteps > 1) {
                factors = new double[n];
                for (int j = 0; j < n; j++) {
                    factors[j] = schedule.factor(version + j, (long) epochs * steps);
                }
            }
            long t0 = System.nanoTime();
            Weights w = Weights.of(version, net, persistent);
            Broadcast<Weights> bw = sc.broadcast(w);
            Broadcast<OptimizerState> bo = factors != null ? sc.broadcast(OptimizerState.of(opt)) : null;
            PartitionStep task = new PartitionStep(shipped, runSeed, e, s, share, params, state, optKind, optArgs, factors,
                    mean, std, augment);
            List<Partial> parts = shards.map(sh -> task.run(sh, bw.value(), bo == null ? null : bo.value())).collect();
            long t1 = System.nanoTime();
            long bytesOut = w.bytes() + (bo != null ? 4L * floats(bo.value().values) : 0);
            bw.destroy();
            if (bo != null) {
                bo.destroy();
            }
            Merged m = merge(parts, version, params.length, state.length);
            float loss = (float) (m.lossSum / m.count);
            if (!Float.isFinite(loss)) {
                throw diverged(e, s, steps, "the loss is " + loss, lastGood);
            }
            lossSum += m.lossSum;
            correct += m.correct;
            seen += m.count;
            apply(m, params, state, factors, (long) e * steps + s, steps);
            long bytesIn = 0;
            long compute = 0;
            for (Partial p : parts) {
                bytesIn += p.bytes();
                compute = Math.max(compute, p.nanos);
            }
            stats.add(n, System.nanoTime() - t0, t1 - t0, compute, bytesOut, bytesIn);
            progress.step(s + n, share * partitions, lossSum / seen, correct / (double) seen);
            if (listener != null) {
                listener.afterStep(e, s + n - 1, net);
            }
        }
        return new double[] {lossSum / seen, correct / (double) seen};
    }

    /** Sums in partition order, in double, weighted by count. */
    private Merged merge(List<Partial> parts, long version, int nParams, int nState) {
        if (parts.size() != partitions) {
            throw new IllegalStateException("expected " + partitions + " partial results, got " + parts.size());
        }
        Merged m = new Merged();
        for (int p = 0; p < parts.size(); p++) {
            Partial r = parts.get(p);
            if (r.partition != p || r.version != version) {
                throw new IllegalStateException("partial result " + p + " is of partition " + r.partition + ", version "
                        + r.version + " (expected " + version + ")");
            }
            m.count += r.count;
            m.lossSum += r.lossSum;
            m.correct += r.correct;
        }
        m.tensors = weightedMean(parts, nParams, 0);
        m.state = weightedMean(parts, nState, 1);
        m.optimizer = parts.get(0).optimizer == null ? null : weightedMean(parts, parts.get(0).optimizer.length, 2);
        return m;
    }

    private static float[][] weightedMean(List<Partial> parts, int n, int which) {
        long total = 0;
        for (Partial r : parts) {
            total += r.count;
        }
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            double[] acc = null;
            for (Partial r : parts) {
                float[] v = (which == 0 ? r.tensors : which == 1 ? r.state : r.optimizer)[i];
                if (acc == null) {
                    acc = new double[v.length];
                }
                for (int j = 0; j < v.length; j++) {
                    acc[j] += (double) r.count * v[j];
                }
            }
            float[] f = new float[acc.length];
            for (int j = 0; j < f.length; j++) {
                f[j] = (float) (acc[j] / total);
            }
            out[i] = f;
        }
        return out;
    }

    /** Synchronous: gradients into the driver's network, then one optimizer step; local: the averages. */
    private void apply(Merged m, String[] params, String[] state, double[] factors, long step, int steps) {
        for (int i = 0; i < state.length; i++) {
            System.arraycopy(m.state[i], 0, net.tensor(state[i]), 0, m.state[i].length);
        }
        if (factors == null) {
            for (int i = 0; i < params.length; i++) {
                System.arraycopy(m.tensors[i], 0, net.tensor("grad." + params[i]), 0, m.tensors[i].length);
            }
            opt.setLearningRateFactor(schedule.factor(step, (long) epochs * steps));
            opt.step();
            return;
        }
        for (int i = 0; i < params.length; i++) {
            System.arraycopy(m.tensors[i], 0, net.tensor(params[i]), 0, m.tensors[i].length);
        }
        new OptimizerState(opt.steps() + factors.length, m.optimizer).into(opt);
    }

    private static long floats(float[][] arrays) {
        long n = 0;
        for (float[] a : arrays) {
            n += a.length;
        }
        return n;
    }

    private static final class Merged {
        long count;
        double lossSum;
        long correct;
        float[][] tensors;
        float[][] state;
        float[][] optimizer;
    }

    private static List<String> names(List<TensorSpec> specs) {
        List<String> out = new ArrayList<>();
        for (TensorSpec s : specs) {
            out.add(s.name());
        }
        return out;
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
        String when = step >= 0 ? "in epoch " + (e + 1) + " at step " + (step + 1) + "/" + steps : "in epoch " + (e + 1);
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
        m.put("spark.partitions", Integer.toString(partitions));
        m.put("spark.batch", Integer.toString(shipped.batch() * partitions));
        m.put("spark.local_steps", Integer.toString(Math.max(1, localSteps)));
        m.putAll(metadata);
        return m;
    }

    private String summary(int epoch, double[] s, Evaluation ev, double seconds, Path save) {
        StringBuilder b = new StringBuilder(String.format("epoch %d/%d: train loss %.4f acc %.2f%%", epoch, epochs, s[0],
                100 * s[1]));
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
