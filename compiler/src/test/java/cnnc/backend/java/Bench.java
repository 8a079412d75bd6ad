package cnnc.backend.java;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.optim.Sgd;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The LeNet-5 benchmark of {@code docs/performance.md}, run by hand beside PyTorch's
 * {@code bench/pytorch_lenet5.py}: prints {@code key value} lines (medians over repeats).
 *
 * <pre>
 * java -cp ... cnnc.backend.java.Bench [samples/lenet5.cnn] [seconds per measurement]
 * </pre>
 */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "samples/lenet5.cnn");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        String text = Files.readString(file);
        String name = file.getFileName().toString();

        // compile: parse to loaded class, the first (cold) and the median of the next ones (warm)
        double[] compile = new double[8];
        double[] parse = new double[8];
        double[] gen = new double[8];
        for (int rep = 0; rep < compile.length; rep++) {
            long t0 = System.nanoTime();
            Model m = Pipeline.compile(SourceFile.of(name, text), Options.defaults().withBatch(64));
            long t1 = System.nanoTime();
            JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated");
            long t2 = System.nanoTime();
            JaninoLoader.compile(src);
            long t3 = System.nanoTime();
            compile[rep] = (t3 - t0) / 1e6;
            parse[rep] = (t1 - t0) / 1e6;
            gen[rep] = (t2 - t1) / 1e6;
        }
        System.out.printf("compile_cold_ms %.0f%n", compile[0]);
        System.out.printf("compile_warm_ms %.0f (parse %.0f, generate %.0f, janino %.0f)%n", median(compile, 1),
                median(parse, 1), median(gen, 1), median(compile, 1) - median(parse, 1) - median(gen, 1));

        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
        Model m64 = Pipeline.compile(SourceFile.of(name, text), Options.defaults().withBatch(64));
        Network train = JaninoLoader.compile(JavaBackend.generate(m64, "cnnc.generated")).instantiate();
        Models.fill(train, 1);
        Sgd sgd = new Sgd(train, 0.01, 0.9, 0, false);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int threads : new int[] {1, 2}) {
            train.setThreads(threads);
            // warm up until C2 has compiled the kernels: a step then allocates nothing (at most 60 s)
            long warm = System.nanoTime() + (long) (seconds * 1e9);
            long deadline = System.nanoTime() + 60_000_000_000L;
            long perStep;
            do {
                long a0 = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 10; i++) {
                    train.forward();
                    train.backward();
                    sgd.step();
                }
                perStep = (mx.getCurrentThreadAllocatedBytes() - a0) / 10;
            } while ((perStep > 0 || System.nanoTime() < warm) && System.nanoTime() < deadline);
            System.out.printf("threads %d caller_bytes_per_step %d%n", threads, perStep);
            long cpu0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                train.forward();
                train.backward();
                sgd.step();
            }
            System.out.printf("threads %d caller_cpu_share %.2f%n", threads,
                    (mx.getCurrentThreadCpuTime() - cpu0) / (double) (System.nanoTime() - wall0));
            if (threads == 1) {
                double[] cpuRates = new double[5];
                for (int rep = 0; rep < cpuRates.length; rep++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    for (int i = 0; i < 10; i++) {
                        train.forward();
                        train.backward();
                        sgd.step();
                    }
                    cpuRates[rep] = 10 * 64 / ((mx.getCurrentThreadCpuTime() - c0) / 1e9);
                }
                System.out.printf("threads 1 train_images_per_cpu_s %.0f%n", median(cpuRates, 0));
            }
            double[] rates = new double[5];
            for (int rep = -1; rep < rates.length; rep++) {
                long t0 = System.nanoTime();
                int steps = 0;
                long end = t0 + (long) (seconds / rates.length * 1e9);
                while (System.nanoTime() < end || steps < 3) {
                    train.forward();
                    train.backward();
                    sgd.step();
                    steps++;
                }
                if (rep >= 0) {
                    rates[rep] = steps * 64 / ((System.nanoTime() - t0) / 1e9);
                }
            }
            System.out.printf("threads %d train_images_per_s %.0f%n", threads, median(rates, 0));
        }
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf("peak_heap_mb %.0f%n", peak / 1048576.0);

        Network one = JaninoLoader.compile(JavaBackend.generate(
                Pipeline.compile(SourceFile.of(name, text), Options.defaults().withBatch(1).withTraining(false)), "g"))
                .instantiate();
        Models.fill(one, 1);
        for (int threads : new int[] {1, 2}) {
            one.setThreads(threads);
            double[] lat = new double[101];
            long deadline = System.nanoTime() + 60_000_000_000L;
            long perCall;
            do {
                long a0 = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 5000; i++) {
                    one.infer();
                }
                perCall = (mx.getCurrentThreadAllocatedBytes() - a0) / 5000;
            } while (perCall > 0 && System.nanoTime() < deadline);
            long per = Math.max(1, (long) (seconds * 1e9 / lat.length / 300e3));
            for (int rep = 0; rep < lat.length; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < per; i++) {
                    one.infer();
                }
                lat[rep] = (System.nanoTime() - t0) / 1e3 / per;
            }
            System.out.printf("threads %d infer_batch1_latency_us %.1f%n", threads, median(lat, 0));
        }
        System.exit(0);
    }

    private static double median(double[] a, int from) {
        double[] s = Arrays.copyOfRange(a, from, a.length);
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
