package cnnc.fuzz;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.CompileError;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.optim.Optimizers;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Grammar-aware: programs built as syntax trees ({@link Programs}), valid and nearly valid, printed
 * and compiled through the parser, checker, autodiff, the Java backend and Janino, then run for one
 * training step (forward, backward, an sgd update, forward again). A program either gets
 * diagnostics (only a nearly valid one may) or trains: a finite loss and gradients, no exception.
 */
@Timeout(120)
class ProgramFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void oneStep(FuzzedDataProvider data) {
        Programs.Program p = Programs.build(data);
        check(p.text(), p.batch(), p.mistake() != null, data.consumeLong());
    }

    /**
     * The programs a run found, as text: a byte input reproduces its program only with the
     * generator of its day, so each finding is kept as the program itself (found/*.cnn).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("found")
    void foundByFuzzing(Path file) throws IOException {
        check(Files.readString(file), 1, false, 1);
    }

    static Stream<Path> found() throws IOException {
        Path dir = Path.of(System.getProperty("cnnc.root", "..")).resolve("compiler/src/test/resources/cnnc/fuzz/found");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.toString().endsWith(".cnn")).sorted().toList().stream();
        }
    }

    /** Compiles {@code text}: diagnostics (only if {@code mayBeRejected}), or one step that stays finite. */
    static void check(String text, int batch, boolean mayBeRejected, long seed) {
        Model m;
        try {
            m = Pipeline.compile(SourceFile.of("fuzzed.cnn", text), Options.defaults().withBatch(batch));
        } catch (CompileError e) {
            SourceFuzzTest.checkDiagnostics(e, SourceFile.of("fuzzed.cnn", text));
            if (!mayBeRejected) {
                throw new AssertionError("a valid program was rejected:\n" + text + e.render(), e);
            }
            return;
        }
        try {
            run(m, text, seed);
        } catch (RuntimeException e) {
            throw new AssertionError(e + " from\n" + text, e);
        }
    }

    /** One training step of the compiled program: finite loss and gradients. */
    private static void run(Model m, String text, long seed) {
        try (Network net = compiled(m, text).instantiate()) {
            fill(net, seed);
            net.forward();
            net.backward();
            if (!Float.isFinite(net.loss())) {
                throw new AssertionError("loss " + net.loss() + " after one step of\n" + text);
            }
            // after the update too: the loss comes from the logits, finite even where an overshooting
            // step underflows a softmax output to 0 (docs/fuzzing.md, finding 4)
            Optimizers.create("sgd", Map.of("lr", 0.05, "momentum", 0.9), net).step();
            net.forward();
            if (!Float.isFinite(net.loss())) {
                throw new AssertionError("loss " + net.loss() + " after an update of\n" + text);
            }
            for (TensorSpec s : net.tensors()) {
                if (s.role() == TensorSpec.Role.GRADIENT) {
                    for (float v : net.tensor(s.name())) {
                        if (!Float.isFinite(v)) {
                            throw new AssertionError(s.name() + " holds " + v + " after one step of\n" + text);
                        }
                    }
                }
            }
        }
    }

    /**
     * The generated class of {@code m}, compiled once per program: the fuzzer's mutations often
     * leave the program as it was and change only the data (the seed; about one input in three),
     * and the Java backend and Janino are deterministic, so a program among the last
     * {@value #CACHED} is not generated and compiled again (those two are most of an input's time).
     */
    private static JaninoLoader.Compiled compiled(Model m, String text) {
        String key = text + "\n// batch " + m.batch();
        JaninoLoader.Compiled c = COMPILED.get(key);
        if (c == null) {
            c = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.fuzzed"));
            COMPILED.put(key, c);
        }
        return c;
    }

    private static final int CACHED = 256;

    private static final Map<String, JaninoLoader.Compiled> COMPILED = new java.util.LinkedHashMap<>(CACHED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JaninoLoader.Compiled> eldest) {
            return size() > CACHED;
        }
    };

    /** He-like parameters (gamma near 1), inputs uniform in [-1, 1], one-hot targets. */
    private static void fill(Network net, long seed) {
        Random r = new Random(seed);
        for (String name : net.parameterNames()) {
            float[] a = net.tensor(name);
            int[] shape = cnnc.runtime.Networks.spec(net, name).shape();
            double std = shape.length > 1 ? Math.sqrt(2.0 / (a.length / shape[0])) : 0.2;
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((name.endsWith(".gamma") ? 1 : 0) + std * r.nextGaussian());
            }
        }
        float[] x = net.tensor(net.inputName());
        for (int i = 0; i < x.length; i++) {
            x[i] = 2 * r.nextFloat() - 1;
        }
        int[] shape = cnnc.runtime.Networks.spec(net, net.targetName()).shape();
        float[] z = net.tensor(net.targetName());
        int pixels = shape[2] * shape[3];
        for (int t = 0; t < shape[0]; t++) {
            for (int p = 0; p < pixels; p++) {
                z[(t * shape[1] + r.nextInt(shape[1])) * pixels + p] = 1;
            }
        }
    }
}
