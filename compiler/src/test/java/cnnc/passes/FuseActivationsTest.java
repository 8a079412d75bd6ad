package cnnc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.backend.opencl.OpenClBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Graph;
import cnnc.ir.Lowering;
import cnnc.ir.Model;
import cnnc.ir.Step;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code fuse-activations} pass: which conv and full steps compute the relu after them, on a
 * sample and on a model with the cases that must not fuse; that the trace shows it; and that the
 * OpenCL backend renders exactly the fusions the IR records.
 */
@org.junit.jupiter.api.Timeout(120)
class FuseActivationsTest {

    static final String CASES = """
            network cases {
                input x : 3x8x8;
                target z : 10;
                a = conv(x, 4, kernel: 3x3);
                ra = relu(a);                       // fuses: the only reader of a
                b = conv(ra, 4, kernel: 3x3);
                rb = relu(b);                       // does not: b is also read by s
                s = add(b, rb);
                c = conv(s, 4, kernel: 3x3);
                lc = leaky_relu(c);                 // does not: not relu
                f = full(lc, 16);
                rf = relu(f);                       // fuses
                g = full(rf, 10);
                y = softmax(g);
                loss cross_entropy(y, z);
            }
            """;

    static Model cases() {
        return Pipeline.compile(SourceFile.of("cases.cnn", CASES), Options.defaults().withBatch(2));
    }

    static Map<String, Lowering.Fusion> fusions(Model m) {
        Map<String, Lowering.Fusion> out = new LinkedHashMap<>();
        m.forward().steps().forEach(s -> out.put(s.node(), s.lowering().fusion()));
        return out;
    }

    @Test
    void aConvOrFullWhoseOnlyReaderIsARelu() {
        Map<String, Lowering.Fusion> f = fusions(cases());
        assertEquals("ra", ((Lowering.Fusion.Epilogue) f.get("a")).out().name());
        assertEquals("a", ((Lowering.Fusion.Absorbed) f.get("ra")).by().name());
        assertEquals("rf", ((Lowering.Fusion.Epilogue) f.get("f")).out().name());
        assertEquals("f", ((Lowering.Fusion.Absorbed) f.get("rf")).by().name());
        for (String alone : List.of("b", "rb", "s", "c", "lc", "g", "y")) {
            assertTrue(f.get(alone) instanceof Lowering.Fusion.None, alone + ": " + f.get(alone));
        }
        Model m = cases();
        assertTrue(m.backwardGraph().steps().stream().allMatch(s -> s.lowering().fusion() instanceof Lowering.Fusion.None),
                "the backward graph is not fused");
    }

    @Test
    void leNetsConvsAndFullsComputeTheirRelus() throws IOException {
        Map<String, Lowering.Fusion> f = fusions(SampleRunsTest.sample("lenet5.cnn", 4));
        for (String[] pair : new String[][] {{"c1", "r1"}, {"c2", "r2"}, {"f1", "r3"}, {"f2", "r4"}}) {
            assertEquals(pair[1], ((Lowering.Fusion.Epilogue) f.get(pair[0])).out().name(), pair[0]);
        }
        assertTrue(f.get("f3") instanceof Lowering.Fusion.None, "f3 feeds the softmax");
    }

    @Test
    void theTraceShowsTheFusions() {
        StringBuilder trace = new StringBuilder();
        Pipeline.compile(SourceFile.of("cases.cnn", CASES), Options.defaults().withBatch(2), t -> trace.append(t).append('\n'));
        int at = trace.indexOf("// after fuse-activations");
        assertTrue(at > 0, trace.toString());
        assertFalse(trace.substring(0, at).contains("computes ra"), "no fusion before the pass");
        String after = trace.substring(at);
        assertTrue(after.contains("computes ra}") && after.contains("{run 0; computed by a}"), after);
        String json = cnnc.inspect.JsonDump.render(cases(), false);
        assertTrue(json.contains("\"fused_with\": \"ra\"") && json.contains("\"fused_with\": \"a\""), json);
    }

    @Test
    void theOpenClBackendRendersWhatTheIrRecords() {
        Model m = cases();
        String fused = OpenClBackend.generate(m).source();
        assertTrue(fused.contains("conv_relu_a") && fused.contains("full_relu_f"), "the recorded fusions");
        assertFalse(fused.contains("conv_relu_b") || fused.contains("conv_relu_c"), "only those");
        List<Step> steps = new ArrayList<>();
        m.forward().steps().forEach(s -> steps.add(s.withLowering(s.lowering().withFusion(new Lowering.Fusion.None()))));
        String apart = OpenClBackend.generate(m.withGraphs(new Graph(m.forward().sources(), steps), m.backward())).source();
        assertFalse(apart.contains("conv_relu_") || apart.contains("full_relu_"), "no fusion in the IR, none in the kernels");
        assertTrue(apart.contains("relu_ra") && apart.contains("relu_rf"), "the relus run as kernels of their own");
    }
}
