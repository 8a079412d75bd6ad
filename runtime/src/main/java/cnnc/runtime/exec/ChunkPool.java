package cnnc.runtime.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool that runs the chunks of one step at a time, the caller included, and returns
 * when every chunk is done. Nothing is allocated per {@link #run}: no lambdas, futures or queues.
 *
 * <p>Each call publishes its task, step and chunk count under a sequence lock (the generation is odd
 * while they are written), and chunks are claimed from one atomic ticket that packs the generation
 * with the next chunk index, so a worker that wakes late never claims a chunk of one call with the
 * step of another. Idle workers spin briefly, then park.
 *
 * <p>Determinism is the caller's contract ({@link ChunkTask}): which thread runs a chunk never
 * changes what it computes.
 */
public final class ChunkPool implements AutoCloseable {

    /** Spins (about tens of microseconds) before an idle worker parks. */
    private static final int SPINS = 20_000;

    private final Thread[] workers;
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    /** A sequence lock over task, step and chunks: odd while the caller writes them, else the generation. */
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    // Written before the volatile generation is published, read after it.
    private ChunkTask task;
    private int step;
    private int chunks;

    /** A pool running on {@code threads} threads in all: the caller and {@code threads - 1} workers. */
    public ChunkPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, found " + threads);
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::work, "cnnc-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** Threads that run chunks, the caller included. */
    public int threads() {
        return workers.length + 1;
    }

    /** Runs chunks {@code 0 .. chunks-1} of {@code step} and returns when all are done. */
    public void run(ChunkTask task, int step, int chunks) {
        if (workers.length == 0 || chunks <= 1) {
            for (int c = 0; c < chunks; c++) {
                task.runChunk(step, c);
            }
            return;
        }
        int gen = generation + 2;
        generation = gen - 1;
        this.task = task;
        this.step = step;
        this.chunks = chunks;
        done.set(0);
        ticket.set((long) gen << 32);
        generation = gen;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        claim(gen, task, step, chunks);
        int spins = 0;
        while (done.get() < chunks) {
            if (++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException) {
                throw (RuntimeException) f;
            }
            if (f instanceof Error) {
                throw (Error) f;
            }
            throw new IllegalStateException(f);
        }
    }

    /** Claims and runs chunks of generation {@code gen} until none is left. */
    private void claim(int gen, ChunkTask task, int step, int chunks) {
        while (true) {
            long t = ticket.get();
            if ((int) (t >>> 32) != gen) {
                return;
            }
            int c = (int) t;
            if (c >= chunks) {
                return;
            }
            if (!ticket.compareAndSet(t, t + 1)) {
                continue;
            }
            try {
                task.runChunk(step, c);
            } catch (Throwable e) {
                failure = e;
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void work() {
        int seen = 0;
        while (!closed) {
            int gen = generation;
            if (gen == seen || (gen & 1) != 0) {
                int spins = 0;
                while ((generation == seen || (generation & 1) != 0) && !closed) {
                    if (++spins < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                continue;
            }
            ChunkTask t = task;
            int s = step;
            int n = chunks;
            if (generation != gen) {
                continue; // the caller moved on while we read: read again
            }
            seen = gen;
            claim(gen, t, s, n);
        }
    }

    /** Stops the workers; the pool must not be used afterwards. */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
