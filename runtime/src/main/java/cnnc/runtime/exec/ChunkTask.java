package cnnc.runtime.exec;

/**
 * Work split into fixed chunks: chunk {@code c} of step {@code s} always computes the same outputs
 * in the same order, whichever thread runs it, so results do not depend on the thread count.
 * Generated networks implement this with one {@code switch} over their steps.
 */
public interface ChunkTask {

    /** Runs chunk {@code chunk} (0-based) of step {@code step}. */
    void runChunk(int step, int chunk);
}
