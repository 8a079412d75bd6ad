package cnnc.runtime.train;

/** The result of evaluating a network on a data set. Immutable. */
public final class Evaluation {

    private final int count;
    private final int correct;
    private final double meanLoss;
    private final int[] predictions;

    public Evaluation(int count, int correct, double meanLoss) {
        this(count, correct, meanLoss, null, null);
    }

    private final int[] labels;

    /**
     * @param predictions the predicted class of each image, in data set order (or null)
     * @param labels      the true class of each image (or null)
     */
    public Evaluation(int count, int correct, double meanLoss, int[] predictions, int[] labels) {
        this.count = count;
        this.correct = correct;
        this.meanLoss = meanLoss;
        this.predictions = predictions;
        this.labels = labels;
    }

    /** The predicted class of every image, in data set order, or null if not recorded. */
    public int[] predictions() {
        return predictions == null ? null : predictions.clone();
    }

    /**
     * The confusion matrix over {@code classes} classes: {@code m[true][predicted]} counts images,
     * or null if predictions were not recorded.
     */
    public int[][] confusion(int classes) {
        if (predictions == null) {
            return null;
        }
        int[][] m = new int[classes][classes];
        for (int i = 0; i < predictions.length; i++) {
            m[labels[i]][predictions[i]]++;
        }
        return m;
    }

    /** Number of images evaluated. */
    public int count() {
        return count;
    }

    /** Images whose output argmax equals the label. */
    public int correct() {
        return correct;
    }

    /** correct / count, in [0, 1] (0 for an empty set). */
    public double accuracy() {
        return count == 0 ? 0 : (double) correct / count;
    }

    /** Mean cross-entropy {@code -log y[label]} over the images. */
    public double meanLoss() {
        return meanLoss;
    }

    @Override
    public String toString() {
        return String.format("loss %.4f  accuracy %.2f%% (%d/%d)", meanLoss, 100 * accuracy(), correct, count);
    }
}
