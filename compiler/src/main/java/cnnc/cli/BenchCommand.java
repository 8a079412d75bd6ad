package cnnc.cli;

import cnnc.backend.java.JavaBackend;
import cnnc.backend.java.PeakFlops;
import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.init.Initializers;
import cnnc.runtime.optim.Optimizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc bench}: compile time, training throughput, inference latency at batch 1 and throughput
 * at batch 256, and peak heap, ending with the {@code key value} lines of docs/training.md.
 *
 * <p>Every network is freshly generated, so each phase first warms up until the JIT has compiled the
 * new class's methods: it runs until the JIT has compiled nothing for a while (see {@link #warmUp}),
 * at most {@code --max-warmup} seconds (C2 takes a minute and more over the big generated methods on
 * a busy machine; a fixed few seconds measured 100 images/s where the trained run reached 500). Then it measures for {@code --time} seconds: throughputs are the median of
 * {@value #ROUNDS} rounds, latency the median of single calls. Inputs are a fixed seeded
 * batch (uniform pixels, one-hot labels): speed does not depend on the values.
 */
@Command(name = "bench", description = "Measure compile time, training and inference speed, and peak heap.")
final class BenchCommand implements Callable<Integer> {

    static final int ROUNDS = 5;
    static final int INFER_BATCH = 256;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Mixin
    DeviceArgs device;

    @Option(names = "--time", paramLabel = "S", description = "Seconds of warm-up, and of measurement, per phase (default 3).")
    double time = 3;

    @Option(names = "--max-warmup", paramLabel = "S", description = "Most seconds of warm-up per phase (default 180).")
    double maxWarmup = 180;

    @Option(names = "--infer-batch", paramLabel = "N", description = "Batch of the inference throughput (default 256).")
    int inferBatch = INFER_BATCH;

    @Option(names = "--profile", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Time every step of a training step and report GFLOP/s against the machine's measured peak (java device;"
                    + " default on, --no-profile to skip).")
    boolean profile = true;

    @Mixin
    ConvTileArg tile;

    @Mixin
    DataArgs data;

    @Option(names = "--loader", description = "Also measure the data loader on --data: loading (decode or cache) and batch filling images/s.")
    boolean loader;

    @Option(names = "--one-jvm", description = "Run every phase in this JVM, one after the other. By default (java device) the"
            + " profile, the latency and the big-batch phases each run in a JVM of their own: a class the JIT warms up after another"
            + " runs slower (docs/performance.md, \"Stop 17\").")
    boolean oneJvm;

    /** Set in a phase's own JVM ({@link BenchPhases}): run that phase alone and print its keys. */
    @Option(names = "--phase", hidden = true)
    BenchPhases.Phase phase;

    @Override
    public Integer call() {
        device.check();
        tile.apply();
        if (inferBatch < 1) {
            throw new UserError("--infer-batch must be at least 1, found " + inferBatch);
        }
        if (!(time > 0) || !(maxWarmup >= 0)) {
            throw new UserError("--time must be positive and --max-warmup not negative, found " + time + " and " + maxWarmup);
        }
        PrintWriter out = spec.commandLine().getOut();
        BenchPhases.Keys keys = new BenchPhases.Keys();
        if (phase != null) {
            runPhase(phase, null, null, keys, out);
            keys.printMarked(out);
            return 0;
        }
        boolean own = !oneJvm && !device.opencl();
        // in one JVM, the peak first, while the JIT has nothing else to compile
        PeakFlops.Result peak = profile && !device.opencl() && !own
                ? PeakFlops.measure(device.threads(), Math.min(1.0, time), JavaBackend.vectorAvailable()) : null;
        Model m = compileAndTrain(out, keys);
        List<BenchPhases.Phase> rest = new ArrayList<>();
        if (profile && !device.opencl()) {
            rest.add(BenchPhases.Phase.PROFILE);
        }
        rest.add(BenchPhases.Phase.LATENCY);
        rest.add(BenchPhases.Phase.THROUGHPUT);
        if (own) {
            BenchPhases.runEach(rest, spec.commandLine().getParseResult().originalArgs(), keys, out, spec.commandLine().getErr());
        } else {
            for (BenchPhases.Phase p : rest) {
                runPhase(p, m, peak, keys, out);
            }
        }
        out.println();
        keys.print(out, inferBatch);
        out.flush();
        if (loader) {
            LoaderBench.run(data, m, device.threads(), time, out);
        }
        return 0;
    }

    /**
     * One phase after training, in this JVM. Only the profile uses the training model {@code m} and the
     * {@code peak}; either null (a phase's own JVM): compiled or measured here first.
     */
    private void runPhase(BenchPhases.Phase p, Model m, PeakFlops.Result peak, BenchPhases.Keys keys, PrintWriter out) {
        switch (p) {
            case PROFILE -> {
                PeakFlops.Result pk = peak != null ? peak : PeakFlops.measure(device.threads(), Math.min(1.0, time),
                        JavaBackend.vectorAvailable());
                BenchProfile.Summary prof = BenchProfile.run(m != null ? m : model.compile(model.options()), device.threads(), pk,
                        time, maxWarmup, out);
                StringWriter sw = new StringWriter();
                prof.keyValues(new PrintWriter(sw, true));
                keys.parse(sw.toString());
            }
            case LATENCY -> {
                Network one = device.buildToRun(model.compile(model.options().withTraining(false).withBatch(1)));
                try {
                    keys.put("infer_batch1_latency_us", latency(one, out));
                } finally {
                    DeviceArgs.release(one);
                }
            }
            case THROUGHPUT -> {
                Network big = device.buildToRun(model.compile(model.options().withTraining(false).withBatch(inferBatch)));
                double rate;
                try {
                    rate = inferRate(big);
                } finally {
                    DeviceArgs.release(big);
                }
                out.printf("inference at batch %d: %.1f images/s (median of %d rounds, after %s)%n", inferBatch, rate, ROUNDS, warmed);
                keys.put("infer_batch" + inferBatch + "_images_per_s", rate);
            }
        }
        out.flush();
    }

    /** Compiles the training class (timed, with its parts) and measures training and its heap; returns the model. */
    private Model compileAndTrain(PrintWriter out, BenchPhases.Keys keys) {
        resetHeapPeaks(false);
        long t0 = System.nanoTime();
        device.prepare();
        Model m = model.compile(model.options());
        long frontNs = System.nanoTime() - t0;
        DeviceArgs.Built built = device.buildTimed(m, JavaBackend.Memory.SHARED);
        Network train = built.network();
        double compileMs = (System.nanoTime() - t0) / 1e6;
        out.printf("bench %s (%s) on %s, %d processors available%n", m.name(), m.source().name(), device.describe(train),
                Runtime.getRuntime().availableProcessors());
        out.printf("compile (parse to loaded class, training build at batch %d): %.0f ms%n", m.batch(), compileMs);
        if (built.cache().kind() == DeviceArgs.CacheUse.Kind.HIT) {
            out.printf("  parse and passes %.0f ms, class loaded from the class cache %.0f ms (%s; no Java source, no Janino),"
                    + " buffers %.0f ms%n", frontNs / 1e6, built.janinoNs() / 1e6, built.cache().dir(), built.buffersNs() / 1e6);
        } else if (built.sourceChars() > 0) {
            out.printf("  parse and passes %.0f ms, Java source %.0f ms (%d KB), Janino %.0f ms, buffers %.0f ms%n",
                    frontNs / 1e6, built.generateNs() / 1e6, built.sourceChars() / 1024, built.janinoNs() / 1e6,
                    built.buffersNs() / 1e6);
            switch (built.cache().kind()) {
                case STORED -> out.printf("  class kept in the class cache %s (the next run loads it)%n", built.cache().dir());
                case NOT_STORED -> out.printf("  the class cache %s could not keep the class: %s%n", built.cache().dir(),
                        built.cache().problem());
                case OFF, HIT -> { }
            }
        }
        out.flush();

        // Heap while training: what it keeps alive (LiveHeap), and the pools' raw peak, garbage included.
        long compilePeak = heapPeakBytes();
        resetHeapPeaks(true);
        long liveBefore = heapUsedBytes();
        double trainRate;
        long trainPeak;
        long trainLive;
        try (LiveHeap live = new LiveHeap()) {
            trainRate = trainRate(m, train);
            trainPeak = heapPeakBytes();
            trainLive = live.peakAfterCollecting();
        } finally {
            DeviceArgs.release(train);
        }
        out.printf("training at batch %d: %.1f images/s (median of %d rounds, after %s)%n", m.batch(), trainRate, ROUNDS, warmed);
        out.printf("peak heap while training: %.1f MB live (the most in use after any collection; %.1f MB before the first step),"
                + " %.1f MB with uncollected garbage (max heap %.0f MB)%n", trainLive / MB, liveBefore / MB, trainPeak / MB,
                Runtime.getRuntime().maxMemory() / MB);
        out.printf("peak heap of compiling and training: %.1f MB with uncollected garbage%n", Math.max(compilePeak, trainPeak) / MB);
        out.flush();
        keys.put("train_images_per_s", trainRate);
        keys.put("compile_ms", compileMs, "%.0f");
        keys.put("compile_cached", built.cache().kind() == DeviceArgs.CacheUse.Kind.HIT ? 1 : 0, "%.0f");
        keys.put("peak_heap_mb", trainLive / MB);
        keys.put("train_images_per_cpu_s", trainCpuRate);
        return m;
    }

    /**
     * Images per second of process CPU time over the training rounds (every thread, the JIT's and the
     * collector's included): the figure a loaded machine distorts least, set against PyTorch's
     * {@code bench/pytorch_cpu.py}.
     */
    private double trainCpuRate;

    /** Training steps (forward, backward, optimizer) per second times the batch. */
    private double trainRate(Model m, Network net) {
        Initializers.initialize(net, m.train().seed(), TrainCommand.initKinds(m));
        Optimizer opt = TrainCommand.optimizer(m, net);
        fill(net, 1);
        int[] steps = {0};
        Runnable step = () -> {
            net.forward();
            net.backward();
            opt.step();
            steps[0]++;
        };
        warmUp(step);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        int steps0 = steps[0];
        double rate = rounds(step, net.batch(), false);
        trainCpuRate = (double) (steps[0] - steps0) * net.batch() / Math.max(1e-9, (os.getProcessCpuTime() - cpu0) / 1e9);
        return rate;
    }

    private double inferRate(Network net) {
        Initializers.initialize(net, 1);
        fill(net, 2);
        return rounds(net::infer, net.batch());
    }

    /** How the last warm-up went, for the report. */
    private String warmed = "";

    /**
     * Runs rounds until the JIT has been quiet (no compilation time added) for {@code min(2, --time)}
     * seconds and at least {@code --time} seconds have passed, or {@code --max-warmup} seconds.
     */
    private void warmUp(Runnable step) {
        warmed = warmUp(step, time, maxWarmup);
    }

    /** {@link #warmUp(Runnable)} with the given settings; says how it went. */
    static String warmUp(Runnable step, double time, double maxWarmup) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        double quietNeeded = Math.min(2, time);
        long start = System.nanoTime();
        long lastJit = timed ? jit.getTotalCompilationTime() : 0;
        long quietSince = start;
        double seconds;
        double quiet;
        do {
            runFor(step, time / ROUNDS, 1);
            long now = System.nanoTime();
            long jitMs = timed ? jit.getTotalCompilationTime() : 0;
            if (jitMs != lastJit) {
                lastJit = jitMs;
                quietSince = now;
            }
            seconds = (now - start) / 1e9;
            quiet = (now - quietSince) / 1e9;
        } while ((quiet < quietNeeded || seconds < time) && seconds < maxWarmup);
        return String.format("%.1f s of warm-up%s", seconds, quiet < quietNeeded ? ", the JIT still busy at --max-warmup" : "");
    }

    /** Warms up, then runs {@link #ROUNDS} rounds; the median of images/s. */
    private double rounds(Runnable step, int batch) {
        return rounds(step, batch, true);
    }

    private double rounds(Runnable step, int batch, boolean warm) {
        if (warm) {
            warmUp(step);
        }
        double[] rates = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long start = System.nanoTime();
            int n = runFor(step, time / ROUNDS, 2);
            rates[r] = (double) n * batch / ((System.nanoTime() - start) / 1e9);
        }
        return median(rates);
    }

    /** Median of single {@code infer()} calls at batch 1, in microseconds, after the warm-up. */
    private double latency(Network net, PrintWriter out) {
        Initializers.initialize(net, 1);
        fill(net, 3);
        warmUp(net::infer);
        long end = System.nanoTime() + (long) (time * 1e9);
        double[] us = new double[1 << 20];
        int n = 0;
        do {
            long s = System.nanoTime();
            net.infer();
            us[n++] = (System.nanoTime() - s) / 1e3;
        } while (n < us.length && (n < 20 || System.nanoTime() < end));
        double[] done = Arrays.copyOf(us, n);
        Arrays.sort(done);
        out.printf("inference at batch 1: median latency %.1f µs (p10 %.1f, p90 %.1f; %d calls, after %s)%n", median(done),
                done[n / 10], done[n * 9 / 10], n, warmed);
        out.flush();
        return median(done);
    }

    /** Runs {@code step} at least {@code min} times and for at least {@code seconds}; returns how many times. */
    static int runFor(Runnable step, double seconds, int min) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int n = 0;
        while (n < min || System.nanoTime() < end) {
            step.run();
            n++;
        }
        return n;
    }

    /** A fixed seeded batch: uniform pixels in [0, 1), one-hot targets. */
    static void fill(Network net, long seed) {
        Random random = new Random(seed);
        float[] x = net.tensor(net.inputName());
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] z = net.tensor(net.targetName());
        Arrays.fill(z, 0f);
        int k = z.length / net.batch();
        for (int t = 0; t < net.batch(); t++) {
            z[t * k + random.nextInt(k)] = 1f;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static final double MB = 1024.0 * 1024.0;

    private static long heapUsedBytes() {
        return LiveHeap.heapBytes(MemoryPoolMXBean::getUsage);
    }

    /**
     * Starts the heap pools' peaks afresh, after a full collection if {@code collect}. Not before the
     * compile: a full collection there shrinks G1's heap to what is live (28 MB), and the compile then
     * pays for growing it back under the buffers' humongous arrays, which no user's {@code cnnc train} does.
     */
    private static void resetHeapPeaks(boolean collect) {
        if (collect) {
            System.gc();
        }
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                p.resetPeakUsage();
            }
        }
    }

    private static long heapPeakBytes() {
        return LiveHeap.heapBytes(MemoryPoolMXBean::getPeakUsage);
    }
}
