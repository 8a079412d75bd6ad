package cnnc.backend.java;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test helpers: compile .cnn text or files to loaded networks, fill them with seeded values. */
final class Models {

    private Models() {}

    static Path root() {
        return Path.of(System.getProperty("cnnc.root", ".."));
    }

    static Model model(String name, String text, int batch) {
        return Pipeline.compile(SourceFile.of(name, text), Options.defaults().withBatch(batch));
    }

    static Model file(Path file, int batch) {
        try {
            return Pipeline.compile(SourceFile.of(file.getFileName().toString(), Files.readString(file)),
                    Options.defaults().withBatch(batch));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JaninoLoader.Compiled compile(Model m) {
        return JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated"));
    }

    static Network network(Model m) {
        return compile(m).instantiate();
    }

    /**
     * One forward and backward pass of {@code net} (threads and values as set) and of the float64
     * interpreter on the same parameters, input and target; every other F32 tensor compared at relative
     * tolerance {@code rel} ({@link ReferenceTest#close}). Returns how many were compared.
     */
    static int matchesInterpreter(Model m, Network net, String label, double rel) {
        cnnc.interp.Interpreter ref = new cnnc.interp.Interpreter(m);
        for (TensorSpec s : net.tensors()) {
            if (given(s)) {
                ref.set(s.name(), ReferenceTest.toDouble(net.tensor(s.name())));
            }
        }
        poisonScratch(net);
        net.forward();
        poisonScratch(net);
        net.backward();
        ref.forward(true);
        ref.backward();
        int compared = 0;
        for (TensorSpec s : net.tensors()) {
            if (s.dtype() == DType.F32 && !given(s)) {
                ReferenceTest.close(label + ": " + s.name(), ref.buffer(s.name()), net.tensor(s.name()), rel);
                compared++;
            }
        }
        return compared;
    }

    /**
     * Fills every shared scratch array ({@code scratch0}, {@code scratch1}, ...: {@link ScratchSlots})
     * of {@code net} with NaN, as another step's leftovers would be; returns how many there are. A
     * kernel that read a temporary before writing it this run would then produce NaN.
     */
    static int poisonScratch(Network net) {
        int n = 0;
        for (java.lang.reflect.Field f : net.getClass().getDeclaredFields()) {
            if (f.getName().matches("scratch\\d+")) {
                try {
                    f.setAccessible(true);
                    java.util.Arrays.fill((float[]) f.get(net), Float.NaN);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                n++;
            }
        }
        return n;
    }

    private static boolean given(TensorSpec s) {
        return s.role() == TensorSpec.Role.PARAMETER || s.role() == TensorSpec.Role.INPUT || s.role() == TensorSpec.Role.TARGET;
    }

    /**
     * Asserts that every F32 tensor of {@code actual} has the bits of {@code expected}'s (two classes of one
     * model, after the same steps); returns how many were compared.
     */
    static int assertSameBits(Network expected, Network actual, String label) {
        int compared = 0;
        for (TensorSpec s : expected.tensors()) {
            if (s.dtype() == DType.F32) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected.tensor(s.name()), actual.tensor(s.name()),
                        s.name() + " (" + label + ")");
                compared++;
            }
        }
        return compared;
    }

    /** Fills parameters (small, He-like), the input (uniform [-1,1]) and a soft-label target (rows sum to 1). */
    static void fill(Network net, long seed) {
        Random r = new Random(seed);
        for (String p : net.parameterNames()) {
            float[] a = net.tensor(p);
            int[] shape = cnnc.runtime.Networks.spec(net, p).shape();
            double std = shape.length > 1 ? Math.sqrt(2.0 / (a.length / shape[0])) : 0.2;
            double mean = p.endsWith(".gamma") ? 1 : 0;
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (mean + std * r.nextGaussian());
            }
        }
        float[] x = net.tensor(net.inputName());
        for (int i = 0; i < x.length; i++) {
            x[i] = 2 * r.nextFloat() - 1;
        }
        if (net.targetName() != null) {
            float[] z = net.tensor(net.targetName());
            int t = net.batch();
            int per = z.length / t;
            for (int s = 0; s < t; s++) {
                float sum = 0;
                for (int c = 0; c < per; c++) {
                    z[s * per + c] = r.nextFloat();
                    sum += z[s * per + c];
                }
                for (int c = 0; c < per; c++) {
                    z[s * per + c] /= sum;
                }
            }
        }
    }
}
