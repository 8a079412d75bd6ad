package cnnc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Graph;
import cnnc.ir.Lowering;
import cnnc.ir.Model;
import cnnc.ir.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code sample-runs} pass: which steps it puts in one per-sample run on sample models, that a
 * step summing over the batch ends its run, that the trace shows the runs, and that the Java backend
 * fuses by-sample phases only inside a run the IR records (and refuses a model that skipped it).
 */
@org.junit.jupiter.api.Timeout(120)
class SampleRunsTest {

    static Model sample(String name, int batch) throws IOException {
        Path file = Path.of(System.getProperty("cnnc.root", ".."), "samples", name);
        return Pipeline.compile(SourceFile.of(name, Files.readString(file)), Options.defaults().withBatch(batch));
    }

    static List<Step> all(Model m) {
        List<Step> steps = new ArrayList<>(m.forward().steps());
        m.backward().ifPresent(g -> steps.addAll(g.steps()));
        return steps;
    }

    /** {@code node mnemonic -> run}. */
    static Map<String, Integer> runs(Model m) {
        Map<String, Integer> out = new LinkedHashMap<>();
        all(m).forEach(s -> out.put(s.node() + " " + s.op().mnemonic(), s.lowering().run()));
        return out;
    }

    @Test
    void leNetsForwardPassIsOneRunClosedByTheLoss() throws IOException {
        Map<String, Integer> r = runs(sample("lenet5.cnn", 64));
        for (String step : List.of("c1 conv", "r1 relu", "p1 maxpool", "c2 conv", "f1 full", "y softmax", "loss cross_entropy")) {
            assertEquals(0, r.get(step), step);
        }
        // backward: softmax_ce_bf, full_bf, then full_grad sums over the batch and ends the run
        List<Step> b = sample("lenet5.cnn", 64).backwardGraph().steps();
        assertEquals(List.of("softmax_ce_bf", "full_bf", "full_grad", "relu_bf"), b.subList(0, 4).stream().map(s -> s.op().mnemonic()).toList());
        assertEquals(List.of(1, 1, 1, 2), b.subList(0, 4).stream().map(s -> s.lowering().run()).toList());
    }

    @Test
    void batchNormEndsItsRun() throws IOException {
        Map<String, Integer> r = runs(sample("fashion_bn.cnn", 8));
        assertEquals(0, r.get("c1 conv"));
        assertEquals(0, r.get("n1 bn"), "bn's statistics read every sample: it ends the run");
        assertEquals(1, r.get("r1 relu"));
        assertEquals(1, r.get("c2 conv"));
    }

    @Test
    void everyRunIsConsecutiveStepsAndOnlyItsLastMixesSamples() throws IOException {
        for (String name : List.of("lenet5.cnn", "fashion_bn.cnn", "residual.cnn", "inception.cnn", "updown.cnn", "dropout.cnn")) {
            List<Step> steps = all(sample(name, 4));
            Set<Integer> closed = new HashSet<>();
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                int run = s.lowering().run();
                assertTrue(run >= 0, name + ": " + s);
                assertFalse(closed.contains(run), name + ": run " + run + " continues after it ended, at " + s.node());
                if (i > 0) {
                    int before = steps.get(i - 1).lowering().run();
                    assertTrue(run == before || run == before + 1, name + ": runs are numbered in order");
                    if (run != before) {
                        closed.add(before);
                    }
                    if (SampleRuns.mixesSamples(steps.get(i - 1).op())) {
                        assertEquals(before + 1, run, name + ": " + steps.get(i - 1).node() + " sums over the batch and ends its run");
                    }
                }
            }
        }
    }

    @Test
    void theTraceShowsTheRuns() throws IOException {
        StringBuilder trace = new StringBuilder();
        Path file = Path.of(System.getProperty("cnnc.root", ".."), "samples", "lenet5.cnn");
        Pipeline.compile(SourceFile.of("lenet5.cnn", Files.readString(file)), Options.defaults(), t -> trace.append(t).append('\n'));
        int at = trace.indexOf("// after sample-runs");
        assertTrue(at > 0, trace.toString());
        assertFalse(trace.substring(0, at).contains("{run"), "no run before the pass");
        assertTrue(trace.substring(at).contains("= relu(c1)  {run 0}"), trace.substring(at));
    }

    /** The Java backend's {@code s<i>_by_sample} methods each call phases of steps of one run only. */
    @Test
    void theJavaBackendFusesOnlyInsideARun() throws IOException {
        for (String name : List.of("fashion_bn.cnn", "residual.cnn", "lenet5.cnn")) {
            Model m = sample(name, 16);
            String java = JavaBackend.generate(m, "p", true).text();
            Matcher fused = Pattern.compile("private void (s\\d+_by_sample)\\(int chunk\\) \\{([^}]*)\\}").matcher(java);
            int methods = 0;
            while (fused.find()) {
                methods++;
                Set<Integer> seen = new HashSet<>();
                Matcher call = Pattern.compile("([fb])(\\d+)_\\w*\\(chunk\\)").matcher(fused.group(2));
                while (call.find()) {
                    Graph g = call.group(1).equals("f") ? m.forward() : m.backwardGraph();
                    seen.add(g.steps().get(Integer.parseInt(call.group(2))).lowering().run());
                }
                assertEquals(1, seen.size(), name + " " + fused.group(1) + ": " + fused.group(2));
            }
            assertTrue(methods > 0, name);
        }
    }

    /** With every step in a run of its own the backend fuses nothing: it only renders the IR's runs. */
    @Test
    void withoutSharedRunsNothingFuses() throws IOException {
        Model m = sample("lenet5.cnn", 16);
        int[] next = {0};
        Model apart = m.withGraphs(apart(m.forward(), next), m.backward().map(g -> apart(g, next)));
        assertEquals(1, maxStepsPerFusedMethod(JavaBackend.generate(apart, "p", true).text()),
                "every step its own run: only phases of one step (a conv_grad's copies of X and ΔY) share a method");
        assertTrue(maxStepsPerFusedMethod(JavaBackend.generate(m, "p", true).text()) > 5, "LeNet's forward pass: one run");
    }

    /** The most steps whose phases one {@code s<i>_by_sample} method calls. */
    private static int maxStepsPerFusedMethod(String java) {
        Matcher fused = Pattern.compile("private void (s\\d+_by_sample)\\(int chunk\\) \\{([^}]*)\\}").matcher(java);
        int most = 0;
        while (fused.find()) {
            Set<String> steps = new HashSet<>();
            Matcher call = Pattern.compile("([fb]\\d+)_\\w*\\(chunk\\)").matcher(fused.group(2));
            while (call.find()) {
                steps.add(call.group(1));
            }
            most = Math.max(most, steps.size());
        }
        return most;
    }

    private static Graph apart(Graph g, int[] next) {
        List<Step> steps = new ArrayList<>();
        for (Step s : g.steps()) {
            steps.add(s.withLowering(s.lowering().withRun(next[0]++)));
        }
        return new Graph(g.sources(), steps);
    }

    @Test
    void aModelThatSkippedTheLoweringIsRefused() throws IOException {
        Model m = sample("lenet5.cnn", 4);
        List<Step> steps = new ArrayList<>();
        m.forward().steps().forEach(s -> steps.add(s.withLowering(Lowering.NONE)));
        Model raw = m.withGraphs(new Graph(m.forward().sources(), steps), m.backward());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JavaBackend.generate(raw, "p", false));
        assertTrue(e.getMessage().contains("Pipeline"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cnnc.backend.opencl.OpenClBackend.generate(raw));
    }
}
