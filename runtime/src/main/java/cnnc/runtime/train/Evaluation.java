package cnnc.runtime.train;

/** The result of evaluating a network on a data set. Immutable. */
public final class Evaluation {

    private final int count;
    private final int correct;
    private final double meanLoss;

    public Evaluation(int count, int correct, double meanLoss) {
        this.count = count;
        this.correct = correct;
        this.meanLoss = meanLoss;
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
