import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Batch-1 inference, unit by unit (docs/performance.md, "Batch-1 latency and cold compile"): the
 * inference class at batch 1 with the Vector API, profiled ({@code JavaBackend.generateProfiled}:
 * every phase its own timed unit) or not, random weights and input, a warm-up of SECONDS, then
 * 2000 single {@code infer()} calls: their median wall time and the calling thread's median CPU
 * time (at 1 thread all the work; on a loaded machine the steadier figure), and with {@code prof}
 * the microseconds per call of every unit. {@code -Dcnnc.conv.algo=winograd|direct} forces a kernel.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp compiler/target/cnnc.jar bench/LatencyProfile.java samples/cifar_vgg.cnn THREADS SECONDS [prof]
 * </pre>
 */
public final class LatencyProfile {

    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        boolean prof = args.length > 3 && args[3].equals("prof");
        var m = Pipeline.compile(SourceFile.of(p.toString(), Files.readString(p)), Options.defaults().withTraining(false).withBatch(1));
        JavaBackend.Source s = prof ? JavaBackend.generateProfiled(m, "cnnc.generated", true) : JavaBackend.generate(m, "cnnc.generated", true);
        JaninoLoader.Compiled c = JaninoLoader.compile(s);
        Network n = c.instantiate();
        n.setThreads(threads);
        Random r = new Random(1);
        for (String name : n.parameterNames()) {
            float[] w = n.tensor(name);
            for (int i = 0; i < w.length; i++) {
                w[i] = (r.nextFloat() - 0.5f) * 0.1f;
            }
        }
        float[] x = n.tensor(n.inputName());
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            n.infer();
        }
        if (prof) {
            Arrays.fill((long[]) c.type().getField("profileNanos").get(n), 0);
        }
        ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        int calls = 2000;
        double[] us = new double[calls];
        double[] cpu = new double[calls];
        for (int i = 0; i < calls; i++) {
            long c0 = tb.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            n.infer();
            us[i] = (System.nanoTime() - t0) / 1e3;
            cpu[i] = (tb.getCurrentThreadCpuTime() - c0) / 1e3;
        }
        Arrays.sort(us);
        Arrays.sort(cpu);
        System.out.printf("%d thread(s): median %.1f us per infer() (p10 %.1f, p90 %.1f); calling thread's CPU median %.1f us%n",
                threads, us[calls / 2], us[calls / 10], us[calls * 9 / 10], cpu[calls / 2]);
        if (prof) {
            long[] ns = (long[]) c.type().getField("profileNanos").get(n);
            String[] step = (String[]) c.type().getField("PROFILE_STEP").get(null);
            String[] kind = (String[]) c.type().getField("PROFILE_KIND").get(null);
            double total = Arrays.stream(ns).sum();
            for (int i = 0; i < ns.length; i++) {
                System.out.printf("%3d %-44s %-14s %9.1f us %5.1f%%%n", i, step[i], kind[i], ns[i] / 1e3 / calls, 100 * ns[i] / total);
            }
        }
        n.close();
    }
}
