package cnnc.backend.java;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bytes a generated training class allocates in 20 training steps once C2 has compiled it, measured
 * in a JVM of its own ({@link #inFreshJvm}). In the test suite's JVM, after a hundred other generated
 * classes, C2 now and then compiled one of a later class's Vector API kernels with its boxes left in
 * (five of six runs of the suite's first tests on one VM failed, on one test or the other: WinogradTest's
 * model 36,864 or 442,368 bytes a step, RuntimeBehaviourTest's wide model 14,336), and they stay until the JVM exits. The cause,
 * found at stop 18 (docs/performance.md), was the generated code itself: bn's 128-bit loads made the JDK's shared
 * Vector API profiles bimorphic, and a helper taking a vector and masked loads left calls out of line;
 * {@link VectorShapesTest} now guards the rules that prevent it. A fresh JVM still measures the class as an
 * application running it gets it, whatever other tests ran before.
 */
public final class AllocationProbe {

    private AllocationProbe() {}

    /**
     * Bytes allocated in 20 steps of {@code m}'s training class (the Vector API kernels if
     * {@code vector}), one figure per thread count, each after the JIT's warm-up (windows of 20 steps
     * until one allocates nothing, for at most 100 s).
     */
    static long[] inFreshJvm(Model m, boolean vector, int... threads) {
        try {
            Path file = Files.createTempFile("probe", ".cnn");
            try {
                Files.writeString(file, m.source().text());
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "-cp", System.getProperty("java.class.path"), AllocationProbe.class.getName(),
                        file.toString(), Integer.toString(m.batch()), Boolean.toString(vector)));
                for (int t : threads) {
                    cmd.add(Integer.toString(t));
                }
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new AssertionError("the probe's JVM failed:\n" + out);
                }
                long[] bytes = out.lines().filter(l -> l.startsWith("allocated ")).mapToLong(l -> Long.parseLong(l.substring(10)))
                        .toArray();
                if (bytes.length != threads.length) {
                    throw new AssertionError("the probe printed " + bytes.length + " figures:\n" + out);
                }
                return bytes;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code FILE BATCH VECTOR THREADS...}: prints {@code allocated N} per thread count. */
    public static void main(String[] args) throws IOException {
        Model m = Models.model(Path.of(args[0]).getFileName().toString(), Files.readString(Path.of(args[0])), Integer.parseInt(args[1]));
        JaninoLoader.Compiled compiled = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", Boolean.parseBoolean(args[2])));
        for (int i = 3; i < args.length; i++) {
            // one class for every thread count: the later instances run code C2 has already compiled
            Network net = compiled.instantiate();
            Models.fill(net, 5);
            net.setThreads(Integer.parseInt(args[i]));
            RuntimeBehaviourTest.train(net, 30);
            System.out.println("allocated " + allocatedIn20Steps(net));
            net.close();
        }
        System.exit(0);
    }

    /** Windows of 20 steps until one allocates nothing (Vector API boxes live until C2 compiles the kernels), for at most 100 s. */
    private static long allocatedIn20Steps(Network net) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Long> ids = new ArrayList<>();
        ids.add(Thread.currentThread().threadId());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("cnnc-worker")) {
                ids.add(t.threadId());
            }
        }
        long[] idArray = ids.stream().mapToLong(Long::longValue).toArray();
        long deadline = System.nanoTime() + 100_000_000_000L;
        long allocated;
        do {
            // the measurement itself allocates its result array: measure that first
            long idle0 = sum(mx.getThreadAllocatedBytes(idArray));
            long idle1 = sum(mx.getThreadAllocatedBytes(idArray));
            long before = sum(mx.getThreadAllocatedBytes(idArray));
            for (int s = 0; s < 20; s++) {
                net.forward();
                net.backward();
            }
            long after = sum(mx.getThreadAllocatedBytes(idArray));
            allocated = (after - before) - (idle1 - idle0);
        } while (allocated != 0 && System.nanoTime() < deadline);
        return allocated;
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long v : a) {
            s += Math.max(0, v);
        }
        return s;
    }
}
