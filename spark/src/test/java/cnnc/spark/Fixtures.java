package cnnc.spark;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.front.Options;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Optimizers;
import cnnc.syntax.Parser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** Models, data and Spark sessions the tests share. */
final class Fixtures {

    static final Path ROOT = Path.of(System.getProperty("cnnc.root", ".")).toAbsolutePath().normalize();

    private Fixtures() {
    }

    static Model model(String sample, int batch, boolean training) {
        try {
            Path f = ROOT.resolve("samples").resolve(sample + ".cnn");
            return Pipeline.compile(Parser.decode(f.toString(), Files.readAllBytes(f)),
                    Options.defaults().withBatch(batch).withTraining(training));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A model from a .cnn file anywhere (e.g. one a test wrote). */
    static Model model(Path f, int batch, boolean training) {
        try {
            return Pipeline.compile(Parser.decode(f.toString(), Files.readAllBytes(f)),
                    Options.defaults().withBatch(batch).withTraining(training));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ShippedNetwork ship(Model m) {
        JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated"));
        return ShippedNetwork.of(c, GraphHash.of(m), m.batch());
    }

    static Network local(Model m) {
        Network n = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated")).instantiate();
        n.setThreads(1);
        return n;
    }

    static IdxSource samples() {
        try {
            return IdxSource.locate(ROOT.resolve("samples/data").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optimizer optimizer(Model m, Network net) {
        return Optimizers.create(m.train().optimizer(), optArgs(m), net);
    }

    static Map<String, Object> optArgs(Model m) {
        Map<String, Object> args = new LinkedHashMap<>();
        m.train().settings().forEach((k, v) -> args.put(k, k.equals("nesterov") ? (Object) (v != 0) : (Object) v));
        return args;
    }

    static SparkSession session(String master) {
        return SparkSessions.start(master, "cnnc test", Map.of("spark.executor.memory", "512m"));
    }

    static JavaSparkContext context(SparkSession s) {
        return JavaSparkContext.fromSparkContext(s.sparkContext());
    }

    /** Copies of every persistent tensor, in order. */
    static List<float[]> weights(Network net) {
        List<float[]> out = new ArrayList<>();
        for (TensorSpec s : Networks.persistent(net)) {
            out.add(net.tensor(s.name()).clone());
        }
        return out;
    }

    /** The largest |a - b| over all tensors. */
    static double maxDiff(List<float[]> a, List<float[]> b) {
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                d = Math.max(d, Math.abs((double) a.get(i)[j] - b.get(i)[j]));
            }
        }
        return d;
    }

    static boolean bitEqual(List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
