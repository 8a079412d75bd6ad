package cnnc.runtime.data;

import java.io.IOException;
import java.nio.file.Path;

/** The four IDX files of an MNIST-style data set, found by {@link DataLocator}. */
public final class DataFiles {

    private final Path dir;
    private final Path trainImages;
    private final Path trainLabels;
    private final Path testImages;
    private final Path testLabels;

    public DataFiles(Path dir, Path trainImages, Path trainLabels, Path testImages, Path testLabels) {
        this.dir = dir;
        this.trainImages = trainImages;
        this.trainLabels = trainLabels;
        this.testImages = testImages;
        this.testLabels = testLabels;
    }

    /** The directory holding the files. */
    public Path dir() {
        return dir;
    }

    public Path trainImages() {
        return trainImages;
    }

    public Path trainLabels() {
        return trainLabels;
    }

    public Path testImages() {
        return testImages;
    }

    public Path testLabels() {
        return testLabels;
    }

    /** Reads the training set. */
    public Dataset train(int classes) throws IOException {
        return Dataset.fromIdx(trainImages, trainLabels, classes);
    }

    /** Reads the test set. */
    public Dataset test(int classes) throws IOException {
        return Dataset.fromIdx(testImages, testLabels, classes);
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
