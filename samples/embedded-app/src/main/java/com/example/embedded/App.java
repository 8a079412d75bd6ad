package com.example.embedded;

import cnnc.runtime.Classifier;
import cnnc.runtime.data.Dataset;
import com.example.embedded.nets.Lenet5_T1;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Classifies Fashion-MNIST test images with LeNet-5 compiled ahead of time by the cnnc Maven
 * plugin ({@link Lenet5_T1}, generated from {@code samples/lenet5.cnn}) and weights trained by
 * {@code cnnc train}. Nothing of the compiler is on the class path: only {@code cnnc-runtime}.
 *
 * <pre>
 * java -cp target/classes:cnnc-runtime.jar com.example.embedded.App W.safetensors IMAGES.idx[.gz] LABELS.idx[.gz]
 * </pre>
 */
public final class App {

    /** Fashion-MNIST's classes, in label order. */
    public static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    private App() {}

    /** A classifier over a new network with the weights of {@code weights} (checked against the graph). */
    public static Classifier classifier(Path weights) {
        return Classifier.load(new Lenet5_T1(), weights);
    }

    /** The images of an IDX pair as one float[784] each, pixels in [0, 1] as in training. */
    public static float[][] images(Dataset data) {
        float[][] images = new float[data.size()][data.pixels()];
        for (int i = 0; i < data.size(); i++) {
            for (int p = 0; p < data.pixels(); p++) {
                images[i][p] = data.pixel(i, p);
            }
        }
        return images;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: App WEIGHTS.safetensors IMAGES.idx LABELS.idx");
            System.exit(1);
        }
        Classifier classifier = classifier(Path.of(args[0]));
        Dataset test = Dataset.fromIdx(Path.of(args[1]), Path.of(args[2]), CLASSES.length);
        float[][] images = images(test);
        int correct = 0;
        for (int i = 0; i < images.length; i++) {
            int label = classifier.classify(images[i]);
            if (i < 5) {
                System.out.printf("image %d: %s (%.1f%%), labelled %s%n", i, CLASSES[label],
                        100 * classifier.probabilities(images[i])[label], CLASSES[test.label(i)]);
            }
            correct += label == test.label(i) ? 1 : 0;
        }
        System.out.printf("accuracy %.2f%% (%d/%d)%n", 100.0 * correct / images.length, correct, images.length);
    }
}
