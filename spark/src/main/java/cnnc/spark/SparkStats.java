package cnnc.spark;

/** Totals over the steps of a {@link SparkTrainer}: wall time, time in the Spark job, compute, bytes. */
public final class SparkStats {

    private long steps;
    private long rounds;
    private long wallNanos;
    private long jobNanos;
    private long computeNanos;
    private long bytesOut;
    private long bytesIn;

    synchronized void add(int n, long wall, long job, long compute, long out, long in) {
        steps += n;
        rounds++;
        wallNanos += wall;
        jobNanos += job;
        computeNanos += compute;
        bytesOut += out;
        bytesIn += in;
    }

    /** Forgets the rounds so far (e.g. the first, warm-up epoch of a measurement). */
    public synchronized void reset() {
        steps = 0;
        rounds = 0;
        wallNanos = 0;
        jobNanos = 0;
        computeNanos = 0;
        bytesOut = 0;
        bytesIn = 0;
    }

    /** Optimizer steps taken. */
    public synchronized long steps() {
        return steps;
    }

    /** Round trips to the executors (steps / k with local steps). */
    public synchronized long rounds() {
        return rounds;
    }

    /** Driver wall time per round, milliseconds. */
    public synchronized double msPerRound() {
        return rounds == 0 ? 0 : wallNanos / 1e6 / rounds;
    }

    /** Time per round from broadcast to collected results, milliseconds. */
    public synchronized double jobMsPerRound() {
        return rounds == 0 ? 0 : jobNanos / 1e6 / rounds;
    }

    /** The slowest partition's compute per round, milliseconds. */
    public synchronized double computeMsPerRound() {
        return rounds == 0 ? 0 : computeNanos / 1e6 / rounds;
    }

    /** Bytes broadcast per round (weights, and optimizer state with local steps). */
    public synchronized long bytesOutPerRound() {
        return rounds == 0 ? 0 : bytesOut / rounds;
    }

    /** Bytes collected per round (all partitions' gradients or parameters and statistics). */
    public synchronized long bytesInPerRound() {
        return rounds == 0 ? 0 : bytesIn / rounds;
    }

    @Override
    public synchronized String toString() {
        return String.format("%d rounds: %.2f ms a round (%.2f ms in the Spark job, %.2f ms compute in the slowest"
                + " partition), %d bytes broadcast and %d bytes collected a round", rounds, msPerRound(), jobMsPerRound(),
                computeMsPerRound(), bytesOutPerRound(), bytesInPerRound());
    }
}
