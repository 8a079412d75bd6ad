package cnnc.runtime;

import cnnc.runtime.io.NetworkFiles;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Classifies images with a {@link Network} in inference mode: copies an image into the input
 * buffer, runs {@link Network#infer()} and reads the network's output (the softmax the loss reads,
 * {@link Network#outputName()}) as one probability per class.
 *
 * <pre>{@code
 * Classifier c = Classifier.load(new Lenet5_T1(), Path.of("lenet5.safetensors"));
 * int label = c.classify(image);               // image: C*H*W floats, row-major, pixels in [0, 1]
 * float[] p = c.probabilities(image);          // one per class, summing to 1
 * }</pre>
 *
 * <p>An image is one sample of the input, {@link #imageSize()} floats in {@code (c, i, j)} order;
 * Fashion-MNIST pixels are {@code byte / 255} as {@code cnnc train} saw them. A network of batch
 * size T runs T samples per call: {@link #classify(float[][])} fills whole batches, the one-image
 * methods use the first row only (generate the class with {@code --batch 1} for single images).
 *
 * <p>Not thread-safe, like the network it wraps: one {@code Classifier} (and one network) per thread.
 */
public final class Classifier {

    private final Network net;
    private final float[] input;
    private final float[] output;
    private final int imageSize;
    private final int classes;

    /**
     * @throws IllegalArgumentException if the network has no output, or an output that is not one
     *         value per class ({@code [T, K, 1, 1]})
     */
    public Classifier(Network net) {
        this.net = net;
        if (net.outputName() == null) {
            throw new IllegalArgumentException("network " + net.name() + " has no softmax output to classify with");
        }
        this.input = net.tensor(net.inputName());
        this.output = net.tensor(net.outputName());
        TensorSpec out = Networks.spec(net, net.outputName());
        int[] s = out.shape();
        if (s.length != 4 || s[2] != 1 || s[3] != 1) {
            throw new IllegalArgumentException("network " + net.name() + " output " + out.name() + " has shape "
                    + Arrays.toString(s) + ", not one value per class [T, K, 1, 1]");
        }
        this.imageSize = input.length / net.batch();
        this.classes = s[1];
    }

    /**
     * Loads weights (parameters and bn running statistics) from a safetensors file saved by
     * {@code cnnc train} into {@code net}, then wraps it.
     *
     * @throws cnnc.runtime.io.SafetensorsException if the file cannot be read or holds weights of
     *         another graph (the message names the first tensor that differs and both shapes)
     */
    public static Classifier load(Network net, Path weights) {
        NetworkFiles.loadWeights(net, weights);
        return new Classifier(net);
    }

    /** The network it runs. */
    public Network network() {
        return net;
    }

    /** Floats per image: {@code C*H*W} of the input. */
    public int imageSize() {
        return imageSize;
    }

    /** Number of classes K. */
    public int classes() {
        return classes;
    }

    /** The class probabilities of one image (a new array of {@link #classes()} values). */
    public float[] probabilities(float[] image) {
        run(image);
        return Arrays.copyOfRange(output, 0, classes);
    }

    /** The most probable class of one image (the first on ties), in {@code [0, classes)}. */
    public int classify(float[] image) {
        run(image);
        return argmax(output, 0, classes);
    }

    /** The most probable class of every image, {@code batch()} images per pass. */
    public int[] classify(float[][] images) {
        int batch = net.batch();
        int[] labels = new int[images.length];
        for (int from = 0; from < images.length; from += batch) {
            int n = Math.min(batch, images.length - from);
            for (int r = 0; r < batch; r++) {
                if (r < n) {
                    copyIn(images[from + r], r);
                } else {
                    Arrays.fill(input, r * imageSize, (r + 1) * imageSize, 0f); // padding, ignored
                }
            }
            net.infer();
            for (int r = 0; r < n; r++) {
                labels[from + r] = argmax(output, r * classes, classes);
            }
        }
        return labels;
    }

    private void run(float[] image) {
        copyIn(image, 0);
        net.infer();
    }

    private void copyIn(float[] image, int row) {
        if (image.length != imageSize) {
            throw new IllegalArgumentException("network " + net.name() + " takes images of " + imageSize
                    + " floats (input " + net.inputName() + " " + Arrays.toString(Networks.spec(net, net.inputName()).shape())
                    + "), got " + image.length);
        }
        System.arraycopy(image, 0, input, row * imageSize, imageSize);
    }

    /**
     * Index (0..k-1) of the first largest of {@code a[off .. off+k-1]}: the predicted class, here,
     * in evaluation and in training accuracy alike.
     */
    public static int argmax(float[] a, int off, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (a[off + c] > a[off + best]) {
                best = c;
            }
        }
        return best;
    }
}
