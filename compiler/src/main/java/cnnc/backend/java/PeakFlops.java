package cnnc.backend.java;

import java.io.IOException;
import java.io.StringReader;
import org.codehaus.commons.compiler.CompileException;
import org.codehaus.janino.SimpleCompiler;

/**
 * The machine's single-precision peak as the generated kernels can reach it, measured in the same
 * run as the kernels ({@code cnnc bench}): an FMA loop, compiled by Janino like a generated class,
 * on as many threads as the network runs. With the Vector API: twelve independent 8-lane
 * {@code FloatVector} accumulators, {@code a = a·b + c} each iteration (12 · 8 · 2 = 192 operations,
 * enough independent chains to cover the FMA latency on both pipes); without it, the same with
 * twelve scalar {@code Math.fma} chains (what plain Java can reach without vectors).
 */
public final class PeakFlops {

    /** The peak and how it was measured. */
    public record Result(double gflops, String method) {}

    private static final int CHAINS = 12;

    private PeakFlops() {}

    /** Runs the loop on {@code threads} threads at once for about {@code seconds}, after a warm-up. */
    public static Result measure(int threads, double seconds, boolean vector) {
        Class<?> c = compile(vector);
        int lanes = vector ? VectorConvEmitter.VL : 1;
        long perIteration = (long) CHAINS * lanes * 2;
        try {
            // warm-up: short calls (so C2 compiles run() itself, not only an on-stack replacement of an
            // interpreted call) for at least 2 s, until neither the rate has improved nor the JIT compiled
            // anything for a second (interpreted, the rate is low but steady), at most 60 s
            java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
            long lastJit = timed ? jit.getTotalCompilationTime() : 0;
            long n = 2_000;
            double best = 0;
            long start = System.nanoTime();
            long improved = start;
            while ((System.nanoTime() - improved < 1_000_000_000L || System.nanoTime() - start < 2_000_000_000L)
                    && System.nanoTime() - start < 60_000_000_000L) {
                long jitNow = timed ? jit.getTotalCompilationTime() : 0;
                if (jitNow != lastJit) {
                    lastJit = jitNow;
                    improved = System.nanoTime();
                }
                Runnable r = (Runnable) c.getDeclaredConstructor(long.class).newInstance(n);
                long t0 = System.nanoTime();
                r.run();
                double rate = n / ((System.nanoTime() - t0) / 1e9);
                if (rate > best * 1.02) {
                    best = rate;
                    improved = System.nanoTime();
                }
            }
            long iterations = Math.max(n, (long) (best * seconds));
            double wall = run(c, threads, iterations);
            return new Result(threads * iterations * perIteration / wall / 1e9,
                    (vector ? "Vector API FMA loop (" + CHAINS + " FloatVector accumulators of " + lanes + " lanes)"
                            : "scalar Math.fma loop (" + CHAINS + " chains)") + " on " + threads + " thread" + (threads == 1 ? "" : "s"));
        } catch (ReflectiveOperationException | InterruptedException e) {
            throw new IllegalStateException("peak loop failed", e);
        }
    }

    /** Seconds for {@code threads} threads each running {@code n} iterations. */
    private static double run(Class<?> c, int threads, long n) throws ReflectiveOperationException, InterruptedException {
        Runnable[] loops = new Runnable[threads];
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = (Runnable) c.getDeclaredConstructor(long.class).newInstance(n);
            ts[i] = new Thread(loops[i], "cnnc-peak-" + i);
        }
        long t0 = System.nanoTime();
        for (Thread t : ts) {
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static Class<?> compile(boolean vector) {
        StringBuilder s = new StringBuilder("package cnnc.peak;\npublic final class Fma implements Runnable {\n");
        String v = "jdk.incubator.vector.FloatVector";
        s.append("    private final long n;\n    public float sink;\n    public Fma(long n) { this.n = n; }\n");
        if (vector) {
            s.append("    private static final jdk.incubator.vector.VectorSpecies S = ").append(v).append(".SPECIES_256;\n");
        }
        s.append("    public void run() {\n");
        String type = vector ? v : "float";
        for (int i = 0; i < CHAINS; i++) {
            s.append("        ").append(type).append(" a").append(i).append(" = ")
                    .append(vector ? v + ".broadcast(S, " + i + "e-3f)" : i + "e-3f").append(";\n");
        }
        s.append("        ").append(type).append(" b = ").append(vector ? v + ".broadcast(S, 0.999f)" : "0.999f").append(";\n");
        s.append("        ").append(type).append(" c = ").append(vector ? v + ".broadcast(S, 1e-6f)" : "1e-6f").append(";\n");
        s.append("        for (long i = 0; i < n; i++) {\n");
        for (int i = 0; i < CHAINS; i++) {
            s.append("            a").append(i).append(" = ").append(vector ? "a" + i + ".fma(b, c)" : "Math.fma(a" + i + ", b, c)").append(";\n");
        }
        s.append("        }\n        float sum = 0f;\n");
        for (int i = 0; i < CHAINS; i++) {
            s.append("        sum += ").append(vector ? "a" + i + ".lane(0)" : "a" + i).append(";\n");
        }
        s.append("        sink = sum;\n    }\n}\n");
        SimpleCompiler compiler = new SimpleCompiler();
        compiler.setParentClassLoader(PeakFlops.class.getClassLoader());
        try {
            compiler.cook(new StringReader(s.toString()));
            return compiler.getClassLoader().loadClass("cnnc.peak.Fma");
        } catch (CompileException | IOException | ClassNotFoundException e) {
            throw new IllegalStateException("peak loop does not compile", e);
        }
    }
}
