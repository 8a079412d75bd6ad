package cnnc.runtime.train;

import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fills training batches on a background thread, one batch ahead: while step {@code s} trains,
 * batch {@code s + 1} is read, augmented and normalized into the other of two buffers; {@link #next}
 * copies a finished batch into the network's input and target. What a batch holds depends only on
 * the epoch's order, the seed and the epoch ({@link Dataset#fill}), so prefetching changes no bit.
 * Counts the images filled and the time spent filling (the loader's images/s) and waiting for it.
 */
final class BatchLoader implements AutoCloseable {

    private final Dataset data;
    private final Augment augment;
    private final long seed;
    private final int batch;
    private final float[][] inputs;
    private final float[][] targets;
    private final ExecutorService thread;
    private Future<?> pending;
    private int[] order;
    private int epoch;
    private int steps;
    private long fillNanos;
    private long waitNanos;
    private long images;

    BatchLoader(Dataset data, Augment augment, long seed, int batch) {
        this.data = data;
        this.augment = augment;
        this.seed = seed;
        this.batch = batch;
        this.inputs = new float[2][batch * data.pixels()];
        this.targets = new float[2][batch * data.classes()];
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cnnc-batch-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts an epoch: begins filling its first batch. */
    void start(int[] order, int epoch, int steps) {
        this.order = order;
        this.epoch = epoch;
        this.steps = steps;
        pending = thread.submit(() -> fill(0));
    }

    private void fill(int step) {
        long t0 = System.nanoTime();
        int slot = step & 1;
        data.fill(order, step * batch, batch, inputs[slot], targets[slot], augment, seed, epoch);
        fillNanos += System.nanoTime() - t0;
        images += batch;
    }

    /** Waits for batch {@code step}, copies it into {@code input} and {@code target}, and starts the next one. */
    void next(int step, float[] input, float[] target) {
        long t0 = System.nanoTime();
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading a batch", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
        }
        waitNanos += System.nanoTime() - t0;
        int slot = step & 1;
        System.arraycopy(inputs[slot], 0, input, 0, input.length);
        System.arraycopy(targets[slot], 0, target, 0, target.length);
        if (step + 1 < steps) {
            pending = thread.submit(() -> fill(step + 1));
        }
    }

    /** Images per second of filling alone (what the loader could deliver). */
    double imagesPerSecond() {
        return fillNanos == 0 ? 0 : images / (fillNanos / 1e9);
    }

    /** Seconds the training loop waited for a batch. */
    double waitSeconds() {
        return waitNanos / 1e9;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
