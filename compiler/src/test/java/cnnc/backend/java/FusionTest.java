package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Consecutive by-sample steps run as one chunk per sample ({@code s<i>_by_sample}); steps whose
 * chunks are not samples (bn's per-channel statistics, weight gradients summed over the batch, the
 * loss's sum over the batch) never join one. The numbers are checked elsewhere (fixtures, thread
 * counts); this checks the schedule.
 */
@org.junit.jupiter.api.Timeout(60)
class FusionTest {

    private static String source(String sample, boolean vector) {
        return JavaBackend.generate(Models.file(Models.root().resolve("samples/" + sample), 64), "p", vector).text();
    }

    private static String body(String java, String method) {
        int at = java.indexOf("void " + method + "(");
        assertTrue(at >= 0, method);
        int open = java.indexOf('{', at);
        int depth = 0;
        for (int i = open; i < java.length(); i++) {
            char c = java.charAt(i);
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            if (depth == 0) {
                return java.substring(open + 1, i);
            }
        }
        throw new AssertionError("unbalanced " + method);
    }

    /** The steps a fused method runs, in order. */
    private static List<String> calls(String body) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(\\w+)\\(chunk\\)").matcher(body);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<String> fused(String java) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("private void (s\\d+_by_sample)\\(int chunk\\)").matcher(java);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void leNetsWholeForwardPassIsOneChunkPerSample() {
        for (boolean vector : new boolean[] {true, false}) {
            String java = source("lenet5.cnn", vector);
            String forward = body(java, "forward");
            assertEquals(1, forward.split("pool\\.run\\(", -1).length - 1, forward);
            assertTrue(forward.contains("pool.run(this, 0, 64)"), forward);
            List<String> steps = calls(body(java, "s0_by_sample"));
            assertTrue(steps.get(0).startsWith("f0_conv_c1_"), steps.toString());
            assertTrue(steps.get(steps.size() - 1).equals("f11_softmax_y_"), steps.toString());
            assertFalse(steps.stream().anyMatch(s -> s.contains("cross_entropy")), steps.toString());
        }
    }

    @Test
    void stepsWhoseChunksAreNotSamplesNeverJoin() {
        for (String sample : new String[] {"fashion_bn.cnn", "residual.cnn", "inception.cnn", "lenet5.cnn"}) {
            for (boolean vector : new boolean[] {true, false}) {
                String java = source(sample, vector);
                List<String> groups = fused(java);
                assertFalse(groups.isEmpty(), sample);
                for (String g : groups) {
                    for (String step : calls(body(java, g))) {
                        String what = sample + (vector ? " (vector) " : " ") + g + " runs " + step;
                        assertFalse(step.matches(".*_(bn|bn_bf|bn_grad|cross_entropy)_.*"), what);
                        // a gradient's main method sums over the batch (chunk = output channel); its ΔY copy is per sample
                        assertFalse(step.matches("b\\d+_(conv|full)_grad_\\w+_"), what);
                    }
                }
            }
        }
    }
}
