package cnnc.spark;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.front.Options;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.init.Initializers;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Optimizers;
import cnnc.syntax.Parser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The costs of training on Spark against one JVM (docs/spark.md): for each model and global batch,
 * the second of two epochs on the data in {@code DIR}, single-JVM ({@code threads} threads) and
 * on Spark {@code local[N]} with P partitions: images/s, time per step, time in the Spark job,
 * compute of the slowest partition, bytes broadcast and collected per step. A benchmark, not a
 * test: {@code bench/spark.sh} runs it.
 *
 * <p>Usage: {@code SparkBench DIR MODEL.cnn BATCH MASTER P [MODEL BATCH MASTER P ...]}.
 */
public final class SparkBench {

    private SparkBench() {
    }

    public static void main(String[] args) throws Exception {
        IdxSource source = IdxSource.locate(args[0]);
        Dataset train = source.dataset(true, 10);
        System.out.printf("data %s: %d training images; %d processors%n", source.where(), train.size(),
                Runtime.getRuntime().availableProcessors());
        System.out.println("model | batch | mode | images/s | ms/step | ms in Spark job/step | ms compute/step (slowest"
                + " partition) | bytes broadcast/step | bytes collected/step");
        for (int i = 1; i + 3 < args.length; i += 4) {
            Path file = Path.of(args[i]);
            int batch = Integer.parseInt(args[i + 1]);
            String master = args[i + 2];
            int p = Integer.parseInt(args[i + 3]);
            String name = file.getFileName().toString().replace(".cnn", "");
            if (master.equals("single")) {
                single(name, file, batch, p, train);
            } else {
                spark(name, file, batch, master, p, source);
            }
        }
    }

    static Model model(Path file, int batch) throws Exception {
        return Pipeline.compile(Parser.decode(file.toString(), Files.readAllBytes(file)), Options.defaults().withBatch(batch));
    }

    static Optimizer optimizer(Model m, Network net) {
        Map<String, Object> a = new LinkedHashMap<>();
        m.train().settings().forEach((k, v) -> a.put(k, k.equals("nesterov") ? (Object) (v != 0) : (Object) v));
        return Optimizers.create(m.train().optimizer(), a, net);
    }

    /** One JVM, {@code threads} threads: the second epoch of two. */
    static void single(String name, Path file, int batch, int threads, Dataset train) throws Exception {
        Model m = model(file, batch);
        Network net = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated")).instantiate();
        net.setThreads(threads);
        Optimizer opt = optimizer(m, net);
        Initializers.initialize(net, 1, Map.of());
        int steps = train.size() / batch;
        long t0 = 0;
        for (int e = 0; e < 2; e++) {
            if (e == 1) {
                t0 = System.nanoTime();
            }
            int[] order = train.order(1, e);
            for (int s = 0; s < steps; s++) {
                train.fill(order, s * batch, batch, net.tensor(net.inputName()), net.tensor(net.targetName()));
                net.forward();
                net.backward();
                opt.step();
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        System.out.printf("%s | %d | single JVM, %d threads | %.0f | %.2f | | %.2f | |%n", name, batch, threads,
                batch * 1000 / ms, ms, ms);
        net.close();
    }

    /** Spark, P partitions of batch/P: the second epoch of two. */
    static void spark(String name, Path file, int batch, String master, int p, IdxSource source) throws Exception {
        Model share = model(file, batch / p);
        JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(share, "cnnc.generated"));
        ShippedNetwork shipped = ShippedNetwork.of(c, GraphHash.of(share), share.batch());
        Network net = shipped.instantiate();
        Optimizer opt = optimizer(share, net);
        SparkSession s = SparkSessions.start(master, "cnnc bench", Map.of("spark.executor.memory", "512m"));
        try {
            SparkTrainer t = new SparkTrainer(JavaSparkContext.fromSparkContext(s.sparkContext()), shipped, net, opt, source, 10, p)
                    .epochs(2).seed(1);
            boolean[] reset = {false};
            t.listener((e, step, n) -> {
                if (e == 1 && !reset[0]) {
                    t.stats().reset();
                    reset[0] = true;
                }
            });
            t.train();
            SparkStats st = t.stats();
            System.out.printf("%s | %d | %s, P=%d | %.0f | %.2f | %.2f | %.2f | %d | %d%n", name, batch, master, p,
                    batch * 1000 / st.msPerRound(), st.msPerRound(), st.jobMsPerRound(), st.computeMsPerRound(),
                    st.bytesOutPerRound(), st.bytesInPerRound());
        } finally {
            s.stop();
        }
    }
}
