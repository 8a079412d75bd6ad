package cnnc.spark;

import cnnc.runtime.Network;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Optimizers;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * What one partition computes in one round, on an executor: from the broadcast weights, either one
 * synchronous step's gradients ({@code factors == null}) or {@code factors.length} local optimizer
 * steps on its own images (local SGD; the driver then averages the parameters). It reads only
 * its shard and the broadcast, so a rerun (a lost executor) gives the same bits.
 */
final class PartitionStep implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ShippedNetwork shipped;
    private final long seed;
    private final int epoch;
    private final int firstStep;
    private final int share;
    private final String[] parameters;
    private final String[] stateNames;
    /** Local steps: the optimizer and the learning-rate factor of each local step; null when synchronous. */
    private final String optKind;
    private final HashMap<String, Object> optArgs;
    private final double[] factors;
    /** The training images' normalization (null: none) and augmentation, as on one machine. */
    private final float[] mean;
    private final float[] std;
    private final boolean flipH;
    private final boolean flipV;
    private final int pad;

    PartitionStep(ShippedNetwork shipped, long seed, int epoch, int firstStep, int share, String[] parameters,
            String[] stateNames, String optKind, Map<String, Object> optArgs, double[] factors, float[] mean, float[] std,
            Augment augment) {
        this.shipped = shipped;
        this.seed = seed;
        this.epoch = epoch;
        this.firstStep = firstStep;
        this.share = share;
        this.parameters = parameters;
        this.stateNames = stateNames;
        this.optKind = optKind;
        this.optArgs = optArgs == null ? null : new HashMap<>(optArgs);
        this.factors = factors;
        this.mean = mean;
        this.std = std;
        this.flipH = augment.flipHorizontal(); // the record is not Serializable: shipped as its fields
        this.flipV = augment.flipVertical();
        this.pad = augment.pad();
    }

    Partial run(Shard shard, Weights w, OptimizerState optState) {
        Network net = shipped.borrow();
        try {
            long t0 = System.nanoTime();
            w.into(net);
            Augment augment = new Augment(flipH, flipV, pad);
            Dataset d = mean == null ? shard.data() : shard.data().normalized(mean, std);
            int[] order = shard.order(seed, epoch);
            float[] in = net.tensor(net.inputName());
            float[] target = net.tensor(net.targetName());
            float[] out = net.tensor(net.outputName());
            Optimizer opt = factors == null ? null : optimizer(net, optState);
            int rounds = factors == null ? 1 : factors.length;
            double lossSum = 0;
            long correct = 0;
            int count = 0;
            for (int j = 0; j < rounds; j++) {
                int from = (firstStep + j) * share;
                // each image augmented by its index in the whole training set, as one machine draws it
                d.fill(order, from, share, in, target, augment, seed, epoch, shard.ids);
                // dropout: a step of its own for every (epoch, step, partition), whichever pooled network runs it
                net.setStep(((long) epoch << 40) + ((long) (firstStep + j) << 16) + shard.partition);
                net.forward();
                float loss = net.loss();
                lossSum += (double) loss * share;
                if (!Float.isFinite(loss) && opt != null) {
                    break; // the driver sees the sum and stops; further local steps would only spread NaN
                }
                count += share;
                correct += correct(d, order, from, out);
                net.backward();
                if (opt != null) {
                    opt.setLearningRateFactor(factors[j]);
                    opt.step();
                }
            }
            float[][] tensors = new float[parameters.length][];
            for (int i = 0; i < parameters.length; i++) {
                tensors[i] = net.tensor(opt == null ? "grad." + parameters[i] : parameters[i]).clone();
            }
            float[][] state = copies(net, stateNames);
            float[][] optimizer = opt == null ? null : OptimizerState.of(opt).values;
            return new Partial(shard.partition, w.version, count, lossSum, correct, tensors, state, optimizer,
                    System.nanoTime() - t0);
        } finally {
            shipped.giveBack(net);
        }
    }

    private Optimizer optimizer(Network net, OptimizerState state) {
        Optimizer opt = Optimizers.create(optKind, optArgs, net);
        state.into(opt);
        return opt;
    }

    private long correct(Dataset d, int[] order, int from, float[] out) {
        int k = d.classes();
        long n = 0;
        for (int r = 0; r < share; r++) {
            if (cnnc.runtime.Classifier.argmax(out, r * k, k) == d.label(order[from + r])) {
                n++;
            }
        }
        return n;
    }

    private static float[][] copies(Network net, String[] names) {
        float[][] v = new float[names.length][];
        for (int i = 0; i < names.length; i++) {
            v[i] = net.tensor(names[i]).clone();
        }
        return v;
    }
}
