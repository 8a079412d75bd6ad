package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.DType;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code cnnc grad} against the PyTorch fixtures (tools/reference/fixtures/<network>): every
 * tensor PyTorch wrote within relative error 1e-4 (of the tensor's largest value), path tensors
 * exactly, running statistics after the pass included.
 */
class FixtureTest {

    @TempDir
    Path dir;

    static Stream<Arguments> fixtures() throws IOException {
        Path root = Models.root();
        Path fixtures = root.resolve("tools/reference/fixtures");
        List<Arguments> out = new ArrayList<>();
        if (!Files.isDirectory(fixtures)) {
            return out.stream();
        }
        List<Path> models = new ArrayList<>();
        for (String d : new String[] {"samples", "tools/reference/tests"}) {
            try (Stream<Path> s = Files.list(root.resolve(d))) {
                s.filter(p -> p.toString().endsWith(".cnn")).forEach(models::add);
            }
        }
        try (Stream<Path> s = Files.list(fixtures)) {
            for (Path f : s.filter(Files::isDirectory).sorted().toList()) {
                String network = f.getFileName().toString();
                for (Path m : models) {
                    if (Files.readString(m).matches("(?s).*network\\s+" + network + "\\s*\\{.*")) {
                        out.add(Arguments.of(network, m, f));
                        break;
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void gradMatchesPyTorch(String network, Path model, Path fixture) {
        Path out = dir.resolve("g.safetensors");
        CliTest.Run r = CliTest.cnnc("grad", model.toString(), "--network", network,
                "--weights", fixture.resolve("weights.safetensors").toString(),
                "--input", fixture.resolve("input.safetensors").toString(), "--out", out.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        TensorFile expected = Safetensors.read(fixture.resolve("expected.safetensors"));
        TensorFile actual = Safetensors.read(out);
        // Tensors zero in exact arithmetic (a bias before a bn) hold only float32 rounding noise: |a| <= 1e-6.
        String zerosMeta = expected.meta("zeros");
        java.util.Set<String> zeros = zerosMeta == null || zerosMeta.isEmpty() ? java.util.Set.of() : java.util.Set.of(zerosMeta.split(","));
        for (String name : expected.names()) {
            Tensor e = expected.get(name);
            Tensor a = actual.get(name);
            assertTrue(a != null, network + ": cnnc grad wrote no " + name);
            assertEquals(e.size(), a.size(), network + " " + name + " size");
            if (e.dtype() == DType.I32) {
                assertArrayEquals(e.ints(), a.ints(), network + " " + name);
            } else if (zeros.contains(name)) {
                for (float v : a.floats()) {
                    assertTrue(Math.abs(v) <= 1e-6, network + " " + name + " should be zero, found " + v);
                }
            } else {
                ReferenceTest.close(network + " " + name, ReferenceTest.toDouble(e.floats()), a.floats(), 1e-4);
            }
        }
    }
}
