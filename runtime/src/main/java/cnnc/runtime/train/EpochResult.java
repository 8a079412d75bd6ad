package cnnc.runtime.train;

/** What one training epoch achieved. Immutable. */
public final class EpochResult {

    private final int epoch;
    private final double trainLoss;
    private final double trainAccuracy;
    private final Evaluation test;
    private final double seconds;

    public EpochResult(int epoch, double trainLoss, double trainAccuracy, Evaluation test, double seconds) {
        this.epoch = epoch;
        this.trainLoss = trainLoss;
        this.trainAccuracy = trainAccuracy;
        this.test = test;
        this.seconds = seconds;
    }

    /** The epoch's number, from 1. */
    public int epoch() {
        return epoch;
    }

    /** Mean of the batch losses over the epoch (training mode, weights changing as it went). */
    public double trainLoss() {
        return trainLoss;
    }

    /** Fraction of training images classified right in their batch's forward pass. */
    public double trainAccuracy() {
        return trainAccuracy;
    }

    /** Evaluation on the test set after the epoch, or null without a test set. */
    public Evaluation test() {
        return test;
    }

    /** Wall-clock seconds of the epoch's training steps. */
    public double seconds() {
        return seconds;
    }
}
