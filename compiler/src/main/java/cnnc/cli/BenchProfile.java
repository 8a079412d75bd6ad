package cnnc.cli;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.backend.java.PeakFlops;
import cnnc.backend.java.Profile;
import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.init.Initializers;
import cnnc.runtime.optim.Optimizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cnnc bench}'s per-step profile of a training step: against the machine's peak (a
 * {@link PeakFlops} FMA loop on the same threads, measured at the start of the run), the profiled class
 * ({@link JavaBackend#generateProfiled}: every phase its own parallel step, timed by the wall
 * clock), warmed up and run for {@code --time} seconds. Reports per pass (forward, backward) and per
 * convolution kind (forward, backward-data, gradient) the milliseconds per step and GFLOP/s (the
 * direct algorithm's operations, whatever algorithm ran) with the percentage of the peak, and the
 * slowest steps. Without by-sample fusion the sum runs a little slower than the trained class.
 */
final class BenchProfile {

    /** The figures the key/value lines report. */
    record Summary(double peak, Map<String, double[]> kinds, double convFlops, double convSeconds, double stepSeconds,
                   double allFlops) {

        void keyValues(PrintWriter out) {
            out.printf("peak_gflops %s%n", number(peak));
            for (Map.Entry<String, double[]> e : kinds.entrySet()) {
                if (e.getValue()[1] > 0) {
                    String key = e.getKey().replace('-', '_').replace(' ', '_');
                    out.printf("%s_gflops %s%n", key, number(e.getValue()[1] / e.getValue()[0] / 1e9));
                }
            }
            if (convSeconds > 0) {
                out.printf("conv_gflops %s%n", number(convFlops / convSeconds / 1e9));
                out.printf("conv_pct_of_peak %s%n", number(100 * convFlops / convSeconds / 1e9 / peak));
                out.printf("train_step_gflops %s%n", number(allFlops / stepSeconds / 1e9));
                out.printf("train_step_pct_of_peak %s%n", number(100 * allFlops / stepSeconds / 1e9 / peak));
            }
            out.flush();
        }
    }

    private BenchProfile() {}

    /** One decimal from 1 up, four significant digits below (a tiny network's GFLOP/s must not print as 0.0). */
    static String number(double v) {
        return v >= 1 ? String.format(java.util.Locale.ROOT, "%.1f", v) : String.format(java.util.Locale.ROOT, "%.4g", v);
    }

    static Summary run(Model m, int threads, PeakFlops.Result peak, double time, double maxWarmup, PrintWriter out) {
        boolean vector = JavaBackend.vectorAvailable();
        out.printf("peak: %.1f GFLOP/s single precision, measured as a %s%n", peak.gflops(), peak.method());
        out.flush();
        Network net = JaninoLoader.compile(JavaBackend.generateProfiled(m, DeviceArgs.PACKAGE, vector)).instantiate();
        try {
            net.setThreads(threads);
            Initializers.initialize(net, m.train().seed(), TrainCommand.initKinds(m));
            Optimizer opt = TrainCommand.optimizer(m, net);
            BenchCommand.fill(net, 1);
            Runnable step = () -> {
                net.forward();
                net.backward();
                opt.step();
            };
            String warmed = BenchCommand.warmUp(step, time, maxWarmup);
            Class<?> c = net.getClass();
            long[] nanos = (long[]) c.getField(Profile.NANOS).get(net);
            String[] steps = (String[]) c.getField(Profile.STEP).get(null);
            String[] passes = (String[]) c.getField(Profile.PASS).get(null);
            String[] kinds = (String[]) c.getField(Profile.KIND).get(null);
            long[] flops = (long[]) c.getField(Profile.FLOPS).get(null);
            Arrays.fill(nanos, 0);
            long t0 = System.nanoTime();
            int n = BenchCommand.runFor(step, time, 3);
            double total = (System.nanoTime() - t0) / 1e9 / n;
            return report(out, peak.gflops(), m, threads, warmed, n, total, nanos, steps, passes, kinds, flops);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("profiled class lacks its profile fields", e);
        } finally {
            DeviceArgs.release(net);
        }
    }

    private static Summary report(PrintWriter out, double peak, Model m, int threads, String warmed, int n, double total,
                                  long[] nanos, String[] steps, String[] passes, String[] kinds, long[] flops) {
        // seconds and flops per step, summed by pass, by kind and by step
        Map<String, double[]> byPass = new LinkedHashMap<>();
        Map<String, double[]> byKind = new LinkedHashMap<>();
        for (String k : List.of("conv forward", "conv backward-data", "conv gradient")) {
            byKind.put(k, new double[2]);
        }
        Map<String, double[]> byStep = new LinkedHashMap<>();
        double convFlops = 0, convSeconds = 0;
        for (int u = 0; u < nanos.length; u++) {
            double sec = nanos[u] / 1e9 / n;
            add(byPass, passes[u], sec, flops[u]);
            add(byStep, passes[u].charAt(0) + " " + steps[u], sec, flops[u]);
            if (kinds[u].startsWith("conv ")) {
                add(byKind, kinds[u], sec, flops[u]);
                convFlops += flops[u];
                convSeconds += sec;
            }
        }
        double allFlops = byPass.values().stream().mapToDouble(v -> v[1]).sum();
        out.printf("profile of a training step at batch %d on %d thread%s (%d steps after %s; every phase timed alone, no by-sample"
                + " fusion): %.2f ms per step%n", m.batch(), threads, threads == 1 ? "" : "s", n, warmed, total * 1e3);
        out.printf("  GFLOP/s count the direct algorithm's operations (2·T·K·Ho·Wo·C·M·N per convolution), whatever ran%n");
        out.printf("  %-44s %10s %7s %9s %7s%n", "", "ms/step", "share", "GFLOP/s", "% peak");
        byPass.forEach((k, v) -> line(out, k, v, total, peak));
        byKind.forEach((k, v) -> line(out, k, v, total, peak));
        line(out, "all convolutions", new double[] {convSeconds, convFlops}, total, peak);
        out.printf("  slowest steps:%n");
        List<Map.Entry<String, double[]>> sorted = new ArrayList<>(byStep.entrySet());
        sorted.sort((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]));
        for (Map.Entry<String, double[]> e : sorted.subList(0, Math.min(10, sorted.size()))) {
            line(out, "  " + e.getKey(), e.getValue(), total, peak);
        }
        out.flush();
        return new Summary(peak, byKind, convFlops, convSeconds, total, allFlops);
    }

    private static void add(Map<String, double[]> m, String key, double sec, long flops) {
        double[] v = m.computeIfAbsent(key, k -> new double[2]);
        v[0] += sec;
        v[1] += flops;
    }

    private static void line(PrintWriter out, String what, double[] v, double total, double peak) {
        if (v[1] > 0 && v[0] > 0) {
            double g = v[1] / v[0] / 1e9;
            out.printf("  %-44s %10.3f %6.1f%% %9.1f %6.1f%%%n", what, v[0] * 1e3, 100 * v[0] / total, g, 100 * g / peak);
        } else {
            out.printf("  %-44s %10.3f %6.1f%%%n", what, v[0] * 1e3, 100 * v[0] / total);
        }
    }
}
