package cnnc.spark;

import java.io.Serializable;

/**
 * One partition's share of one step (or of k local steps): its gradients (of the mean loss over
 * its {@link #count} images), or with local steps its parameters; its bn running statistics after
 * the step; the loss summed over its images and how many it classified correctly.
 */
public final class Partial implements Serializable {

    private static final long serialVersionUID = 1L;

    final int partition;
    final long version;
    final int count;
    final double lossSum;
    final long correct;
    /** Gradients of the parameters (synchronous steps) or the parameters themselves (local steps). */
    final float[][] tensors;
    /** The bn running statistics after this partition's forward passes. */
    final float[][] state;
    /** Optimizer state after local steps, per parameter and slot; null for synchronous steps. */
    final float[][] optimizer;
    /** Nanoseconds the task spent computing (forward, backward, copies). */
    final long nanos;

    Partial(int partition, long version, int count, double lossSum, long correct, float[][] tensors, float[][] state,
            float[][] optimizer, long nanos) {
        this.partition = partition;
        this.version = version;
        this.count = count;
        this.lossSum = lossSum;
        this.correct = correct;
        this.tensors = tensors;
        this.state = state;
        this.optimizer = optimizer;
        this.nanos = nanos;
    }

    /** Bytes of the float arrays, what the driver collects. */
    long bytes() {
        long n = 0;
        for (float[][] group : new float[][][] {tensors, state, optimizer}) {
            if (group != null) {
                for (float[] a : group) {
                    n += 4L * a.length;
                }
            }
        }
        return n;
    }
}
