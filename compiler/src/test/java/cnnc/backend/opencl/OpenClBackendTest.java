package cnnc.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.interp.GradCheck;
import cnnc.interp.NetworkCandidate;
import cnnc.interp.Interpreter;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.opencl.OpenClDevices;
import cnnc.runtime.opencl.OpenClException;
import cnnc.runtime.opencl.OpenClNetwork;
import cnnc.runtime.opencl.Plan;
import cnnc.syntax.Parser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs generated kernels on the OpenCL device (PoCL in CI) and compares every activation,
 * sensitivity, gradient, running statistic and the loss with the float64 reference interpreter within a
 * relative error of 1e-4 (per tensor, relative to its largest magnitude, at least 1e-4), and every path tensor
 * exactly; then runs the passes again and asks for the same bits. Without an OpenCL platform the
 * tests fail with what to install: they never skip.
 */
@org.junit.jupiter.api.Timeout(180)
class OpenClBackendTest {

    static final double TOLERANCE = 1e-4;
    /** The magnitude below which a tensor counts as zero, errors then measured against it. */
    static final double ZERO_SCALE = 1e-4;

    static Stream<Path> models() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("samples"))) {
            s.filter(p -> p.toString().endsWith(".cnn")).filter(cnnc.TestSamples::light).sorted().forEach(all::add);
        }
        try (Stream<Path> s = Files.list(Path.of("compiler/src/test/resources/cnnc/backend/opencl"))) {
            s.filter(p -> p.toString().endsWith(".cnn")).sorted().forEach(all::add);
        }
        return all.stream();
    }

    static OpenClDevices.Device device() {
        try {
            return OpenClDevices.select(System.getProperty("cnnc.opencl.device", "opencl"));
        } catch (OpenClException e) {
            return fail("the OpenCL tests need an OpenCL device: " + e.getMessage());
        }
    }

    static Model compile(Path file, int batch) throws IOException {
        SourceFile source = Parser.decode(file.toString(), Files.readAllBytes(file));
        return Pipeline.compile(source, Options.defaults().withBatch(batch).withInputSensitivity(true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void matchesTheReferenceAndRepeatsItsBits(Path file) throws IOException {
        Model model = compile(file, 4);  // per-element bn at T = 2 is ill-conditioned: x̂ = ±1
        OpenClBackend.Program program = OpenClBackend.generate(model);
        // through the text form, as cnnc generate writes it
        Plan plan = Plan.parse(program.plan().toText());
        assertEquals(program.plan().toText(), plan.toText());
        try (OpenClNetwork net = new OpenClNetwork(plan, program.source(), device())) {
            Map<String, float[]> initial = fill(net, new Random(7));
            Interpreter ref = new Interpreter(model);
            initial.forEach((name, values) -> ref.set(name, toDouble(values)));

            net.forward();
            net.backward();
            ref.forward(true);
            ref.backward();
            Map<String, Object> first = compare(net, ref, file + " training");

            // the same inputs and dropout step again (no kernel writes them): the same bits; only running statistics move on
            net.setStep(0);
            net.forward();
            net.backward();
            for (TensorSpec s : net.tensors()) {
                if (s.role() == TensorSpec.Role.STATE) {
                    continue;
                }
                if (s.dtype() == DType.I32) {
                    assertArrayEquals((int[]) first.get(s.name()), net.path(s.name()), file + ": " + s.name() + " changed on a rerun");
                } else {
                    assertArrayEquals((float[]) first.get(s.name()), net.tensor(s.name()), file + ": " + s.name() + " changed on a rerun");
                }
            }

            // inference: bn reads the running statistics the two training passes left
            ref.forward(true); // the reference's running statistics take the second step too
            net.infer();
            ref.forward(false);
            for (TensorSpec s : net.tensors()) {
                if (s.role() == TensorSpec.Role.ACTIVATION || s.role() == TensorSpec.Role.LOSS) {
                    assertClose(ref.buffer(s.name()), net.tensor(s.name()), file + " inference: " + s.name());
                }
            }
        }
    }

    /** Every gradcheck model (every operation and variant: see cnnc.interp.CoverageTest) and this folder's bn model. */
    static Stream<Path> gradcheckModels() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("compiler/src/test/resources/gradcheck"))) {
            List<Path> out = new ArrayList<>(s.filter(p -> p.toString().endsWith(".cnn")).sorted().toList());
            out.add(Path.of("compiler/src/test/resources/cnnc/backend/opencl/norms.cnn"));
            return out.stream();
        }
    }

    /** GradCheck's finite differences (float64, of the interpreter's loss) against the device's gradients. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("gradcheckModels")
    void passesTheGradientCheck(Path file) throws IOException {
        Model model = compile(file, 3);
        OpenClBackend.Program program = OpenClBackend.generate(model);
        try (OpenClNetwork net = new OpenClNetwork(program.plan(), program.source(), device())) {
            GradCheck.Result r = GradCheck.check(model, new NetworkCandidate(net), GradCheck.Settings.defaults()
                    .withTolerance(new GradCheck.Tolerance(1e-5, 1e-3)).withMaxPerTensor(12));
            assertTrue(r.passed(), r.table());
        }
    }

    /** Random inputs, soft targets, parameters and running statistics, written through the lent arrays. */
    static Map<String, float[]> fill(OpenClNetwork net, Random rnd) {
        Map<String, float[]> initial = new HashMap<>();
        for (TensorSpec s : net.tensors()) {
            float[] a;
            switch (s.role()) {
                case INPUT, PARAMETER -> {
                    a = net.tensor(s.name());
                    double scale = s.name().endsWith(".gamma") ? 0.5 : 1;
                    double base = s.name().endsWith(".gamma") ? 1 : 0;
                    int fanIn = s.shape().length > 1 ? s.size() / s.shape()[0] : 1;
                    double std = s.role() == TensorSpec.Role.INPUT ? 1 : scale * Math.sqrt(2.0 / Math.max(fanIn, 1));
                    for (int n = 0; n < a.length; n++) {
                        a[n] = (float) (base + std * rnd.nextGaussian());
                    }
                }
                case STATE -> {
                    a = net.tensor(s.name());
                    boolean var = s.name().endsWith(".running_var");
                    for (int n = 0; n < a.length; n++) {
                        a[n] = (float) (var ? 0.5 + rnd.nextDouble() : 0.3 * rnd.nextGaussian());
                    }
                }
                case TARGET -> {
                    a = net.tensor(s.name());
                    int per = s.size() / s.shape()[0];
                    for (int t = 0; t < s.shape()[0]; t++) {
                        double sum = 0;
                        for (int c = 0; c < per; c++) {
                            a[t * per + c] = (float) (rnd.nextDouble() < 0.5 ? 0 : rnd.nextDouble());
                            sum += a[t * per + c];
                        }
                        if (sum == 0) {
                            a[t * per] = 1;
                            sum = 1;
                        }
                        for (int c = 0; c < per; c++) {
                            a[t * per + c] = (float) (a[t * per + c] / sum);
                        }
                    }
                }
                default -> {
                    continue;
                }
            }
            initial.put(s.name(), a.clone());
        }
        return initial;
    }

    /** Compares every exposed tensor; returns a copy of the device's values by name. */
    static Map<String, Object> compare(OpenClNetwork net, Interpreter ref, String what) {
        Map<String, Object> copy = new HashMap<>();
        int checked = 0;
        for (TensorSpec s : net.tensors()) {
            if (s.dtype() == DType.I32) {
                int[] p = net.path(s.name());
                assertArrayEquals(ref.path(s.name()), p, what + ": path " + s.name());
                copy.put(s.name(), p.clone());
            } else {
                float[] a = net.tensor(s.name());
                assertClose(ref.buffer(s.name()), a, what + ": " + s.name());
                copy.put(s.name(), a.clone());
            }
            checked++;
        }
        assertEquals(ref.loss(), net.loss(), TOLERANCE * Math.max(1, Math.abs(ref.loss())));
        assertTrue(checked > 5, what + ": too few tensors checked");
        return copy;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double max = 0;
        double diff = 0;
        int worst = 0;
        for (int n = 0; n < expected.length; n++) {
            max = Math.max(max, Math.abs(expected[n]));
            double d = Math.abs(expected[n] - actual[n]);
            if (!(d <= diff)) {
                diff = d;
                worst = n;
            }
        }
        // a tensor that is zero in exact arithmetic (a conv bias before a per-channel bn) holds rounding noise
        double rel = diff / Math.max(max, ZERO_SCALE);
        if (!(rel <= TOLERANCE)) {
            fail(what + ": relative error " + rel + " at [" + worst + "]: expected " + expected[worst] + ", got " + actual[worst]
                    + " (largest magnitude " + max + ")");
        }
    }
}
