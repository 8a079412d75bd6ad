package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Transient tensors in shared memory ({@link JavaBackend.Memory#SHARED}, what train and bench build:
 * sensitivities, and activations only the forward pass reads): on every sample, with the Vector API
 * and in plain Java, a class whose shared arrays are filled with NaN before every pass (another
 * step's leftovers) has, pass after pass, the bits of the class that keeps every tensor: a step that
 * read a transient tensor before writing it, or a life cut short, would show as NaN or as other bits.
 * And it allocates less, and lists no sensitivity. The same for inference classes, where every
 * activation between input and output is transient.
 */
@org.junit.jupiter.api.Timeout(600)
class TransientTensorsTest {

    static Stream<Arguments> samples() throws IOException {
        try (Stream<Path> files = Files.list(Models.root().resolve("samples"))) {
            List<Path> cnn = files.filter(f -> f.toString().endsWith(".cnn")).sorted().toList();
            return cnn.stream().flatMap(f -> Stream.of(Arguments.of(f.getFileName().toString(), true), Arguments.of(f.getFileName().toString(), false)));
        }
    }

    private static Network build(Model m, boolean vector, JavaBackend.Memory s) {
        return JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", vector, s)).instantiate();
    }

    @ParameterizedTest(name = "{0}, vector {1}")
    @MethodSource("samples")
    void sharedTransientsGiveTheBitsOfKeptOnes(String sample, boolean vector) {
        Model m = Models.file(Models.root().resolve("samples").resolve(sample), 3);
        try (Network kept = build(m, vector, JavaBackend.Memory.KEPT);
             Network shared = build(m, vector, JavaBackend.Memory.SHARED)) {
            Models.fill(kept, 5);
            Models.fill(shared, 5);
            kept.setThreads(2);
            shared.setThreads(2);
            for (int pass = 0; pass < 3; pass++) {
                Models.poisonScratch(shared);
                shared.forward();
                Models.poisonScratch(shared);
                shared.backward();
                kept.forward();
                kept.backward();
                assertEquals(Float.floatToIntBits(kept.loss()), Float.floatToIntBits(shared.loss()), sample + " pass " + pass);
                int compared = Models.assertSameBits(shared, kept, sample + " pass " + pass);
                assertTrue(compared > 2 * shared.parameterNames().length, sample + ": " + compared + " tensors compared");
                for (String name : kept.parameterNames()) {
                    step(kept, name);
                    step(shared, name);
                }
            }
            for (TensorSpec t : shared.tensors()) {
                assertTrue(t.role() != TensorSpec.Role.SENSITIVITY, t.name() + " is listed though its memory is shared");
            }
            assertTrue(floats(shared) < floats(kept), sample + ": shared " + floats(shared) + " floats, kept " + floats(kept));
        }
    }

    @ParameterizedTest(name = "{0}, vector {1}")
    @MethodSource("samples")
    void anInferenceClassSharesEveryInnerActivationWithTheSameBits(String sample, boolean vector) {
        Model m = Pipeline.compile(SourceFile.of(sample, read(Models.root().resolve("samples").resolve(sample))),
                Options.defaults().withBatch(3).withTraining(false));
        try (Network kept = build(m, vector, JavaBackend.Memory.KEPT);
             Network shared = build(m, vector, JavaBackend.Memory.SHARED)) {
            kept.setThreads(2);
            shared.setThreads(2);
            for (int call = 0; call < 3; call++) { // a new input each call: nothing may carry over in the shared arrays
                Models.fill(kept, 11 + call);
                Models.fill(shared, 11 + call);
                assertTrue(Models.poisonScratch(shared) > 0, sample + ": shared arrays");
                shared.infer();
                kept.infer();
                float[] y = shared.tensor(shared.outputName());
                for (float v : y) {
                    assertTrue(Float.isFinite(v), sample + ": output " + v + " after NaN in the shared arrays");
                }
                assertArrayEquals(kept.tensor(kept.outputName()), y, sample + " call " + call);
            }
            for (TensorSpec t : shared.tensors()) {
                assertTrue(t.role() != TensorSpec.Role.ACTIVATION || t.name().equals(shared.outputName()),
                        t.name() + " is listed though only infer() reads it");
            }
            assertTrue(floats(shared) < floats(kept), sample + ": shared " + floats(shared) + " floats, kept " + floats(kept));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Plain SGD, the same in both: every pass starts from new parameters. */
    private static void step(Network net, String name) {
        float[] p = net.tensor(name);
        float[] g = net.tensor("grad." + name);
        for (int i = 0; i < p.length; i++) {
            p[i] -= 0.01f * g[i];
        }
    }

    /** The floats of every distinct float array the instance holds. */
    private static long floats(Network net) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        long n = 0;
        for (Field f : net.getClass().getDeclaredFields()) {
            if (f.getType() == float[].class && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                try {
                    f.setAccessible(true);
                    Object a = f.get(net);
                    if (a != null && seen.put(a, Boolean.TRUE) == null) {
                        n += ((float[]) a).length;
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return n;
    }

    @Test
    void aTransientTensorIsNotReadableAndTheInputSensitivityStays() {
        Path file = Models.root().resolve("samples/lenet5.cnn");
        Model m = Pipeline.compile(SourceFile.of("lenet5.cnn", read(file)), Options.defaults().withBatch(2).withInputSensitivity(true));
        try (Network shared = build(m, true, JavaBackend.Memory.SHARED)) {
            assertThrows(IllegalArgumentException.class, () -> shared.tensor("grad.c1"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shared.tensor("c2"));
            assertEquals("tensor 'c2' is transient: this class was generated with shared memory, where it shares an array with other"
                    + " tensors and is not kept after a pass", e.getMessage());
            assertEquals("network has no float tensor 'nope'", assertThrows(IllegalArgumentException.class, () -> shared.tensor("nope")).getMessage());
            assertEquals(2 * 16 * 10 * 10, shared.tensor("r2").length, "relu_bf 'r2' reads the relu's output: it stays");
            assertEquals(2 * 10, shared.tensor(shared.outputName()).length, "the output stays");
            assertEquals(2 * 28 * 28, shared.tensor("grad.x").length, "nothing reads ΔX: it stays readable");
        }
        String text = JavaBackend.generate(m, "cnnc.generated", true, JavaBackend.Memory.SHARED).text();
        assertTrue(text.contains("grad.c1: sensitivity"), "the shared field says what it is");
        assertTrue(text.contains("read only inside backward(): memory shared in scratch"), text.substring(0, 2000));
        assertTrue(text.contains("c2: activation 2x16x10x10 (lenet5.cnn:9), read only inside forward() and infer(): memory shared in scratch"),
                "conv c2's output, which only relu r2 reads (relu's backward reads its output)");
        assertTrue(text.contains("private final float[] p1_ = new float["), "pool p1 feeds conv c2, whose gradient reads it");
        JavaBackend.TransientMemory sm = JavaBackend.inspect(m, true).transients();
        assertEquals(ScratchSlotsTest.sum(text, "private final float\\[\\] scratch\\d+ = new float\\[(\\d+)\\]"), sm.sharedWithScratch(),
                "what cnnc check reports is what the class allocates");
        long own = 0;
        Matcher mt = Pattern.compile("\\* \\S+: (?:sensitivity|partial|activation) (\\d+)x(\\d+)x(\\d+)x(\\d+) .*read only inside").matcher(text);
        while (mt.find()) {
            own += Long.parseLong(mt.group(1)) * Long.parseLong(mt.group(2)) * Long.parseLong(mt.group(3)) * Long.parseLong(mt.group(4));
        }
        assertEquals(own, sm.own(), "the transient tensors' floats");
    }
}
