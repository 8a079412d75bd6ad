package cnnc.runtime;

import cnnc.runtime.data.Preprocessing;
import cnnc.runtime.io.NetworkFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Classifies images with a {@link Network} in inference mode: copies an image into the input
 * buffer, runs {@link Network#infer()} and reads the network's output (the softmax the loss reads,
 * {@link Network#outputName()}) as one probability per class.
 *
 * <pre>{@code
 * Classifier c = Classifier.load(new Lenet5_T1(), Path.of("lenet5.safetensors"));
 * int label = c.classify(image);               // image: C*H*W floats, row-major, as the model takes them
 * float[] p = c.probabilities(image);          // one per class, summing to 1
 * String name = c.className(c.classify(Path.of("shoe.png")));   // decoded, converted, normalized
 * }</pre>
 *
 * <p>Images as {@link BufferedImage}s or files go through the {@link Preprocessing} stored in the
 * weights file by {@code cnnc train} (channel conversion, bilinear resize, {@code / 255}, the
 * training set's per-channel normalization), with the class names from the same file; a
 * {@code float[]} is taken as it is, already preprocessed.
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
    private Preprocessing prep;

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
        int[] in = Networks.spec(net, net.inputName()).shape();
        this.prep = Preprocessing.fromMetadata(Map.of(), in[1], in.length > 2 ? in[2] : 1, in.length > 3 ? in[3] : 1, classes);
    }

    /** The same classifier with this preprocessing (class names and normalization) for images and files. */
    public Classifier preprocessing(Preprocessing p) {
        if (p.classNames().size() != classes || p.channels() * p.height() * p.width() != imageSize) {
            throw new IllegalArgumentException("preprocessing for " + p.channels() + "x" + p.height() + "x" + p.width() + " images of "
                    + p.classNames().size() + " classes does not fit network " + net.name());
        }
        this.prep = p;
        return this;
    }

    /** The preprocessing applied to images and files. */
    public Preprocessing preprocessing() {
        return prep;
    }

    /**
     * Loads weights (parameters and bn running statistics) from a safetensors file saved by
     * {@code cnnc train} into {@code net}, then wraps it.
     *
     * @throws cnnc.runtime.io.SafetensorsException if the file cannot be read or holds weights of
     *         another graph (the message names the first tensor that differs and both shapes)
     */
    public static Classifier load(Network net, Path weights) {
        Map<String, String> meta = NetworkFiles.loadWeights(net, weights);
        Classifier c = new Classifier(net);
        int[] in = Networks.spec(net, net.inputName()).shape();
        try {
            return c.preprocessing(Preprocessing.fromMetadata(meta, in[1], in.length > 2 ? in[2] : 1, in.length > 3 ? in[3] : 1,
                    c.classes()));
        } catch (IllegalArgumentException e) {
            throw new cnnc.runtime.io.SafetensorsException(weights, e.getMessage());
        }
    }

    /** The class names (from the weights file's metadata, else "0" .. "K-1"). */
    public List<String> classNames() {
        return prep.classNames();
    }

    /** The name of class {@code k}. */
    public String className(int k) {
        return prep.classNames().get(k);
    }

    /** The most probable class of an image, converted and normalized as in training. */
    public int classify(BufferedImage image) {
        try {
            return classify(prep.input(image, "image"));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The class probabilities of an image. */
    public float[] probabilities(BufferedImage image) {
        try {
            return probabilities(prep.input(image, "image"));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The most probable class of an image file (decoded with ImageIO).
     *
     * @throws IOException naming the file if it cannot be read or decoded
     */
    public int classify(Path file) throws IOException {
        return classify(prep.input(file));
    }

    /** The class probabilities of an image file. */
    public float[] probabilities(Path file) throws IOException {
        return probabilities(prep.input(file));
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
