package cnnc.runtime.train;

import cnnc.runtime.Classifier;
import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.data.Dataset;
import java.util.Arrays;

/**
 * Runs a network in inference mode over a whole data set. The last partial batch is padded with
 * zero images whose outputs are ignored (in inference mode samples do not affect each other).
 */
public final class Evaluator {

    /** Probabilities are clamped to this before the log, so one confident mistake costs at most ~103. */
    static final float MIN_PROB = Float.MIN_VALUE;

    private Evaluator() {
    }

    /**
     * Accuracy (argmax of the output, first maximum on ties, against the label) and mean
     * cross-entropy {@code -log max(y[label], MIN_PROB)} over every image of {@code data}.
     */
    public static Evaluation evaluate(Network net, Dataset data) {
        checkFits(net, data);
        int batch = net.batch();
        int k = data.classes();
        float[] input = net.tensor(net.inputName());
        float[] target = net.tensor(net.targetName());
        float[] out = net.tensor(net.outputName());
        int[] order = data.identity();
        int correct = 0;
        double loss = 0;
        for (int from = 0; from < data.size(); from += batch) {
            int n = Math.min(batch, data.size() - from);
            data.fill(order, from, n, input, target);
            net.infer();
            for (int r = 0; r < n; r++) {
                int label = data.label(from + r);
                if (Classifier.argmax(out, r * k, k) == label) {
                    correct++;
                }
                loss -= Math.log(Math.max(out[r * k + label], MIN_PROB));
            }
        }
        return new Evaluation(data.size(), correct, data.size() == 0 ? 0 : loss / data.size());
    }

    /**
     * Checks that the network's input takes one image of the data set per row and that its
     * output and target have one value per class.
     *
     * @throws IllegalArgumentException saying what the model expects and what the data has
     */
    static void checkFits(Network net, Dataset data) {
        TensorSpec in = Networks.spec(net, net.inputName());
        int[] s = in.shape();
        int perSample = in.size() / net.batch();
        if (perSample != data.pixels()) {
            throw new IllegalArgumentException("model " + net.name() + " input " + in.name() + " has shape "
                    + Arrays.toString(s) + ", the data has images of " + data.channels() + "x" + data.height() + "x"
                    + data.width());
        }
        for (String name : new String[] {net.targetName(), net.outputName()}) {
            TensorSpec t = Networks.spec(net, name);
            if (t.size() != net.batch() * data.classes()) {
                throw new IllegalArgumentException("model " + net.name() + " " + name + " has shape "
                        + Arrays.toString(t.shape()) + ", the data has " + data.classes() + " classes");
            }
        }
    }
}
