package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two code paths of the Java backend agree: classes generated with the Vector API kernels (what
 * the other tests run, surefire adds {@code jdk.incubator.vector}) and the plain-Java fallback that
 * an application without the module gets, on every model of the zoo and every sample, at batch
 * sizes that take both ways of cutting a step into chunks (one sample each; channel groups below 8).
 */
@org.junit.jupiter.api.Timeout(120)
class VectorPathTest {

    static Stream<Arguments> models() throws IOException {
        List<Arguments> out = new ArrayList<>();
        // samples at 4 and above: per-element bn at batch 2 is all cancellation in float32 (see FixtureTest)
        for (int batch : new int[] {3, 9}) {
            int b = batch;
            ReferenceTest.ZOO.forEach((name, text) -> out.add(Arguments.of(name + " T" + b, Models.model(name + ".cnn", text, b))));
        }
        for (int batch : new int[] {4, 9}) {
            try (Stream<Path> files = Files.list(Models.root().resolve("samples"))) {
                int b = batch;
                for (Path f : files.filter(p -> p.toString().endsWith(".cnn")).filter(p -> b == 4 || cnnc.TestSamples.light(p))
                        .sorted().toList()) {
                    out.add(Arguments.of(f.getFileName() + " T" + batch, Models.file(f, batch)));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void scalarAndVectorClassesAgree(String name, Model m) {
        assertTrue(JavaBackend.vectorAvailable(), "tests run with --add-modules jdk.incubator.vector");
        JavaBackend.Source scalarSource = JavaBackend.generate(m, "cnnc.generated", false);
        JavaBackend.Source vectorSource = JavaBackend.generate(m, "cnnc.generated", true);
        assertFalse(scalarSource.text().contains("jdk.incubator"), name + ": the fallback must not need the Vector API");
        assertTrue(vectorSource.text().contains("FloatVector"), name + ": no vector kernel");
        Network scalar = JaninoLoader.compile(scalarSource).instantiate();
        Network vector = JaninoLoader.compile(vectorSource).instantiate();
        Models.fill(scalar, 3);
        Models.fill(vector, 3);
        vector.setThreads(2);
        scalar.forward();
        scalar.backward();
        vector.forward();
        vector.backward();
        int compared = 0;
        for (TensorSpec s : scalar.tensors()) {
            if (s.dtype() == DType.I32) {
                continue;
            }
            float[] a = scalar.tensor(s.name());
            double[] expected = ReferenceTest.toDouble(a);
            ReferenceTest.close(name + " " + s.name(), expected, vector.tensor(s.name()), 1e-4);
            compared++;
        }
        assertTrue(compared > 5, name + ": only " + compared + " tensors compared");
        scalar.setThreads(1);
        vector.setThreads(1);
    }
}
