package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Lowering;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@code fuse-bn-backward} pass and its Java rendering: each bn_bf writes its own bn's Δγ and
 * Δβ (not another bn's: bn ops of equal attributes are equal records), a bn with no bn_bf keeps its
 * bn_grad, the trace and JSON dump show it, and the fused class computes the same bits as the class
 * of the same IR with the fusion taken out. (Against float64: ReferenceTest, whose models fuse.)
 */
@org.junit.jupiter.api.Timeout(120)
class FuseBnBackwardTest {

    static final String NET = """
            network bns {
                input x : 3x6x6;
                target z : 4;
                a = bn(x, per: channel);                // x has no sensitivity: no bn_bf, bn_grad alone
                c = conv(a, 4, kernel: 3x3);
                n = bn(c, per: channel);
                r = relu(n);
                d = conv(r, 5, kernel: 3x3);
                e = bn(d);                              // per element
                f = full(e, 4);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    static Model model() {
        return Pipeline.compile(SourceFile.of("bns.cnn", NET), Options.defaults().withBatch(3));
    }

    @Test
    void eachBnBfWritesItsOwnBnsGradients() {
        Model m = model();
        int fused = 0;
        for (Step s : m.backwardGraph().steps()) {
            if (s.op() instanceof BnBf) {
                Lowering.Fusion.Sums sums = (Lowering.Fusion.Sums) s.lowering().fusion();
                String bn = s.input(2).name().replace(".gamma", "");   // γ of the bn: its node
                assertEquals(List.of("grad." + bn + ".gamma", "grad." + bn + ".beta"), sums.outs().stream().map(Buffer::name).toList());
                fused++;
            }
            if (s.op() instanceof BnGrad) {
                String bn = s.outputs().get(0).name().replace("grad.", "").replace(".gamma", "");
                if (bn.equals("a")) {
                    assertTrue(s.lowering().fusion() instanceof Lowering.Fusion.None, "bn 'a' has no bn_bf");
                } else {
                    Step bf = m.backwardGraph().steps().stream().filter(b -> b.op() instanceof BnBf && b.input(0).equals(s.input(0)))
                            .findFirst().orElseThrow();
                    assertEquals(bf.output(), ((Lowering.Fusion.Absorbed) s.lowering().fusion()).by(), bn);
                }
            }
        }
        assertEquals(2, fused, "bn 'n' and bn 'e'");
    }

    @Test
    void theTraceAndTheJsonDumpShowIt() {
        StringBuilder trace = new StringBuilder();
        Pipeline.compile(SourceFile.of("bns.cnn", NET), Options.defaults().withBatch(3), t -> trace.append(t).append('\n'));
        int at = trace.indexOf("// after fuse-bn-backward");
        assertTrue(at > 0, trace.toString());
        assertFalse(trace.substring(0, at).contains("computes grad.n.gamma"), "no fusion before the pass");
        assertTrue(trace.substring(at).contains("computes grad.n.gamma, grad.n.beta}"), trace.substring(at));
        String json = cnnc.inspect.JsonDump.render(model(), true);
        assertTrue(json.contains("\"fused_with\": \"grad.n.gamma, grad.n.beta\""), json);
    }

    @Test
    void theFusedClassHasNoBnGradStepsAndTheSameBits() {
        Model m = model();
        String fused = JavaBackend.generate(m, "cnnc.generated").text();
        assertFalse(fused.contains("_bn_grad_n_(") || fused.contains("_bn_grad_e_("), "bn_grad of n and e are computed by their bn_bf");
        assertTrue(fused.contains("_bn_grad_a_("), "bn 'a' keeps its bn_grad");
        Model apart = unfused(m);
        assertTrue(JavaBackend.generate(apart, "cnnc.generated").text().contains("_bn_grad_n_("));
        Network a = Models.network(m), b = Models.network(apart);
        Models.fill(a, 3);
        Models.fill(b, 3);
        for (Network net : List.of(a, b)) {
            Models.poisonScratch(net);
            net.forward();
            net.backward();
        }
        for (String t : List.of("grad.n.gamma", "grad.n.beta", "grad.e.gamma", "grad.e.beta", "grad.a.gamma", "grad.c", "grad.d")) {
            assertArrayEquals(b.tensor(t), a.tensor(t), t);
        }
    }

    /** {@code m} with every backward step's fusion taken out. */
    private static Model unfused(Model m) {
        List<Step> steps = new ArrayList<>();
        m.backwardGraph().steps().forEach(s -> steps.add(s.withLowering(s.lowering().withFusion(new Lowering.Fusion.None()))));
        Graph g = m.backwardGraph();
        return m.withGraphs(m.forward(), Optional.of(new Graph(g.sources(), steps)));
    }
}
