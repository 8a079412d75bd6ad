package cnnc.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.cli.Main;
import cnnc.runtime.DType;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code cnnc grad --device opencl} against {@code cnnc grad --device java}, through
 * {@link Main#run}, on every {@code samples/*.cnn} with the weights and inputs of its PyTorch
 * fixture ({@code tools/reference/fixtures/<network>/}): the same tensor names (dtypes and shapes),
 * every float tensor within a relative error of {@value #TOLERANCE} of its largest magnitude, path
 * tensors exactly. Both devices compute in float32 with the same formulas and (by design, see
 * docs/OPENCL.md) the same reduction order in most kernels, so they agree far more closely than
 * either agrees with float64 PyTorch (1e-4 in FixtureTest). Without an OpenCL platform the opencl
 * run exits 1 with what to install and the test fails with that message: it never skips.
 */
@org.junit.jupiter.api.Timeout(120)
class OpenClGradParityTest {

    static final double TOLERANCE = 1e-5;

    /**
     * Tensors zero in exact arithmetic (listed in the fixture's {@code zeros} metadata, e.g. the
     * gradient of a bias that feeds a bn) hold only float32 rounding noise of a cancelled sum: their
     * largest magnitude is not a scale, so they are compared absolutely, |a - b| ≤ {@value}, the
     * bound FixtureTest uses for them against PyTorch.
     */
    static final double ZERO_ABS = 1e-6;

    /**
     * The smallest scale a tensor's error is measured against: a tensor that is exactly zero on the
     * Java device (both sides then must be within 1e-5 * 1e-30 of it, i.e. zero too) must not divide
     * by zero; it is no looser than "exactly equal" for any tensor of real magnitude.
     */
    static final double FLOOR = 1e-30;

    @TempDir
    Path dir;

    static Stream<Arguments> samples() throws IOException {
        List<Arguments> out = new ArrayList<>();
        Pattern network = Pattern.compile("(?m)^\\s*network\\s+(\\w+)\\s*\\{");
        try (Stream<Path> s = Files.list(Path.of("samples"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".cnn")).filter(cnnc.TestSamples::light).sorted().toList()) {
                Matcher m = network.matcher(Files.readString(p));
                assertTrue(m.find(), p + " declares no network");
                out.add(Arguments.of(m.group(1), p));
            }
        }
        return out.stream();
    }

    private static TensorFile grad(String device, Path model, String network, Path fixture, Path out) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(new String[] {"grad", model.toString(), "--network", network,
                "--weights", fixture.resolve("weights.safetensors").toString(),
                "--input", fixture.resolve("input.safetensors").toString(),
                "--out", out.toString(), "--device", device, "--threads", "2"},
                new PrintWriter(o, true), new PrintWriter(e, true));
        if (code != 0) {
            fail("cnnc grad --device " + device + " on " + model + " exited " + code + ":\n" + e + o);
        }
        return Safetensors.read(out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void openclWritesWhatJavaWrites(String network, Path model) {
        Path fixture = Path.of("tools/reference/fixtures", network);
        assertTrue(Files.isDirectory(fixture), "sample " + model + " has no PyTorch fixture " + fixture);
        long t0 = System.nanoTime();
        // The Java side runs its plain-Java kernels, whose sums the OpenCL kernels reproduce in the same
        // order (bn and bias sums in double, full layers in 8 interleaved partials). The Vector API
        // kernels sum conv taps in another order; VectorPathTest pins them to the plain ones.
        String vector = System.getProperty("cnnc.vector");
        System.setProperty("cnnc.vector", "false");
        TensorFile java;
        try {
            java = grad("java", model, network, fixture, dir.resolve("java.safetensors"));
        } finally {
            if (vector == null) {
                System.clearProperty("cnnc.vector");
            } else {
                System.setProperty("cnnc.vector", vector);
            }
        }
        long t1 = System.nanoTime();
        TensorFile opencl = grad(System.getProperty("cnnc.opencl.device", "opencl"), model, network, fixture,
                dir.resolve("opencl.safetensors"));
        long t2 = System.nanoTime();

        assertEquals(new TreeSet<>(java.names()), new TreeSet<>(opencl.names()), network + ": tensor names");
        String zerosMeta = Safetensors.read(fixture.resolve("expected.safetensors")).meta("zeros");
        Set<String> zeros = zerosMeta == null || zerosMeta.isEmpty() ? Set.of() : Set.of(zerosMeta.split(","));

        StringBuilder report = new StringBuilder();
        List<String> failures = new ArrayList<>();
        double worst = 0;
        String worstName = null;
        for (String name : new TreeSet<>(java.names())) {
            Tensor j = java.get(name);
            Tensor c = opencl.get(name);
            assertEquals(j.dtype(), c.dtype(), network + " " + name + " dtype");
            assertArrayEquals(j.shape(), c.shape(), network + " " + name + " shape");
            if (j.dtype() == DType.I32) {
                assertArrayEquals(j.ints(), c.ints(), network + " " + name + ": path tensors must be equal");
                continue;
            }
            float[] a = c.floats();
            float[] b = j.floats();
            double diff = 0;
            double scale = 0;
            for (int i = 0; i < b.length; i++) {
                diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
                scale = Math.max(scale, Math.abs(b[i]));
            }
            if (Double.isNaN(diff)) {
                failures.add(name + ": NaN");
                continue;
            }
            boolean zero = zeros.contains(name);
            double err = zero ? diff : diff / Math.max(scale, FLOOR);
            double bound = zero ? ZERO_ABS : TOLERANCE;
            if (err > worst && !zero) {
                worst = err;
                worstName = name;
            }
            if (err > bound) {
                failures.add(String.format("%s: %s error %.3g > %.0g (max|opencl - java| %.3g, max|java| %.3g)",
                        name, zero ? "absolute" : "relative", err, bound, diff, scale));
            }
            if (err > 0) {
                report.append(String.format("  %-28s %.3g%n", name, err));
            }
        }
        System.out.printf("%s: java %.1f s, opencl %.1f s; %d tensors, worst relative error %.3g (%s)%n%s", network,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, java.names().size(), worst, worstName, report);
        assertTrue(failures.isEmpty(), network + ": opencl differs from java:\n  " + String.join("\n  ", failures));
    }
}
