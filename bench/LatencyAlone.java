import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Batch-1 inference latency of a .cnn file's inference class in a fresh JVM (2 threads, 15 s of
 * warm-up, median of 10 s of calls), alone or, with {@code after-training}, after its training class at
 * the train block's batch has run for 20 s in the same JVM, as in {@code cnnc bench}. The class the JIT
 * warms up second runs slower (docs/performance.md, "Stop 16").
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp compiler/target/cnnc.jar bench/LatencyAlone.java samples/fashion_bn.cnn [after-training]
 * </pre>
 */
public final class LatencyAlone {

    static Network build(Path p, boolean training, int batch) throws Exception {
        Options o = Options.defaults().withTraining(training).withBatch(batch);
        Model m = Pipeline.compile(SourceFile.of(p.toString(), Files.readString(p)), o);
        Network net = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated")).instantiate();
        net.setThreads(2);
        Random r = new Random(1);
        for (String name : net.parameterNames()) {
            float[] w = net.tensor(name);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (r.nextGaussian() * 0.05 + (name.endsWith("gamma") ? 1 : 0));
            }
        }
        float[] x = net.tensor(net.inputName());
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return net;
    }

    static double medianLatencyUs(Network net) {
        long warm = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < warm) {
            net.infer();
        }
        double[] us = new double[1 << 20];
        int n = 0;
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && n < us.length) {
            long s = System.nanoTime();
            net.infer();
            us[n++] = (System.nanoTime() - s) / 1e3;
        }
        double[] d = Arrays.copyOf(us, n);
        Arrays.sort(d);
        return d[n / 2];
    }

    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        boolean after = args.length > 1 && args[1].equals("after-training");
        if (after) {
            Model m = Pipeline.compile(SourceFile.of(p.toString(), Files.readString(p)), Options.defaults());
            Network t = build(p, true, m.batch());
            long warm = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < warm) {
                t.forward();
                t.backward();
            }
            t.setThreads(1);
        }
        Network one = build(p, false, 1);
        System.out.printf("%s, batch-1 inference %s: median latency %.1f µs%n", p.getFileName(), after ? "after its training class" : "alone",
                medianLatencyUs(one));
        one.setThreads(1);
    }
}
