package cnnc.passes;

import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Lowering;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code fuse-bn-backward} pass: a bn's two backward steps read the same tensors and form the
 * same two sums per statistic, {@code Σ ΔY} and {@code Σ ΔY·x̂}: bn_bf needs their means, bn_grad
 * writes them as {@code Δβ} and {@code Δγ}. The pass lets bn_bf write bn_grad's outputs from its
 * own sums ({@link Lowering.Fusion.Sums}; bn_grad {@link Lowering.Fusion.Absorbed}), which saves a
 * pass over two activation-sized tensors and gives the same bits. Only where no step between them
 * reads bn_grad's outputs (they are written when bn_bf runs). The Java backend renders it; the
 * OpenCL backend still runs the two kernels.
 */
public final class FuseBnBackward {

    private FuseBnBackward() {}

    public static Model run(Model m) {
        return m.backward().isEmpty() ? m : m.withGraphs(m.forward(), Optional.of(map(m.backwardGraph())));
    }

    private static Graph map(Graph g) {
        List<Step> steps = g.steps();
        Map<Step, Lowering.Fusion> fusion = new IdentityHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            Step bf = steps.get(i);
            if (!(bf.op() instanceof BnBf)) {
                continue;
            }
            // the same bn: the same ΔY and X (bn ops of equal attributes are equal records)
            for (Step grad : steps) {
                if (grad.op() instanceof BnGrad && sameInputs(bf, grad)) {
                    if (readAfter(g, grad, i)) {
                        fusion.put(bf, new Lowering.Fusion.Sums(grad.outputs()));
                        fusion.put(grad, new Lowering.Fusion.Absorbed(bf.output()));
                    }
                    break;
                }
            }
        }
        List<Step> out = new ArrayList<>();
        for (Step s : steps) {
            Lowering.Fusion f = fusion.get(s);
            out.add(f == null ? s : s.withLowering(s.lowering().withFusion(f)));
        }
        return new Graph(g.sources(), out);
    }

    /** Whether bn_bf and bn_grad read the same ΔY and X (inputs 0 and 1 of both). */
    private static boolean sameInputs(Step bf, Step grad) {
        return bf.input(0).equals(grad.input(0)) && bf.input(1).equals(grad.input(1));
    }

    /** Whether every step reading {@code grad}'s outputs comes after step {@code at}. */
    private static boolean readAfter(Graph g, Step grad, int at) {
        for (Buffer b : grad.outputs()) {
            for (Step reader : g.consumers(b)) {
                if (g.steps().indexOf(reader) <= at) {
                    return false;
                }
            }
        }
        return true;
    }
}
