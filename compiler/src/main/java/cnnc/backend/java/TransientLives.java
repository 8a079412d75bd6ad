package cnnc.backend.java;

import cnnc.ir.Buffer;
import cnnc.ir.DType;
import cnnc.ir.Graph;
import cnnc.ir.Lowering;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lives of a class's transient tensors, for {@link JavaBackend.Memory#SHARED}: a sensitivity
 * (or a partial sensitivity of a fanned-out tensor) is needed only inside {@code backward()}, and an
 * activation that no backward step reads (a conv's or bn's output that only a relu takes: relu's
 * backward reads its output) only inside the forward pass, each from the first to the last unit
 * that runs a step touching it; in an inference class, which has no backward pass, that is every
 * activation between input and output. {@link ScratchSlots} gives those whose lives do not overlap
 * one array, with the kernels' temporary scratch.
 *
 * <pre>
 * live(X) = [ first unit of a step of X's pass reading or writing X,  last such unit ]
 * </pre>
 *
 * A step absorbed by another (bn_grad, whose sums bn_bf computes; a relu a conv computes as its
 * epilogue) counts as the step that computes it. Left out, keeping arrays of their own: the network's
 * input, output, target and loss; what no step reads (the input's sensitivity, a result of the pass);
 * what both passes touch; and what a step without units touches.
 */
final class TransientLives {

    private TransientLives() {}

    /** The transient tensors of {@code model}; {@code units}: the first and last unit of each step that has any. */
    static List<ScratchSlots.Use> of(Model model, Map<Step, int[]> units) {
        Set<Buffer> excluded = new HashSet<>(java.util.Arrays.asList(model.input(), model.output(), model.target(), model.loss()));
        Map<Buffer, int[]> forward = lives(model.forward(), units, excluded);
        // an inference class has no backward graph: every activation between input and output is transient
        Map<Buffer, int[]> backward = model.backward().map(g -> lives(g, units, excluded)).orElse(Map.of());
        List<ScratchSlots.Use> out = new ArrayList<>();
        forward.forEach((b, l) -> {
            if (b.role() == Role.ACTIVATION && b.dtype() == DType.F32 && !backward.containsKey(b) && !excluded.contains(b)) {
                out.add(new ScratchSlots.Use(Names.field(b), b.shape().size(), l[0], l[1]));
            }
        });
        backward.forEach((b, l) -> {
            boolean sensitivity = b.role() == Role.SENSITIVITY || b.role() == Role.PARTIAL;
            if (sensitivity && b.dtype() == DType.F32 && !forward.containsKey(b) && !excluded.contains(b)) {
                out.add(new ScratchSlots.Use(Names.field(b), b.shape().size(), l[0], l[1]));
            }
        });
        return out;
    }

    /**
     * The life of every buffer {@code g}'s steps touch; adds to {@code excluded} what a step without
     * units touches, and what no step of {@code g} reads.
     */
    private static Map<Buffer, int[]> lives(Graph g, Map<Step, int[]> units, Set<Buffer> excluded) {
        Map<Buffer, int[]> life = new LinkedHashMap<>();
        Set<Buffer> read = new HashSet<>();
        for (Step st : g.steps()) {
            int[] r = units.get(computedBy(st, g.steps()));
            for (Buffer b : touched(st)) {
                if (r == null) {
                    excluded.add(b);
                } else {
                    int[] l = life.computeIfAbsent(b, k -> new int[] {r[0], r[1]});
                    l[0] = Math.min(l[0], r[0]);
                    l[1] = Math.max(l[1], r[1]);
                }
            }
            read.addAll(st.inputs());
        }
        for (Buffer b : life.keySet()) {
            if (!read.contains(b)) {
                excluded.add(b);
            }
        }
        return life;
    }

    /** What {@code st} reads and writes, with what its fused sums write. */
    private static List<Buffer> touched(Step st) {
        List<Buffer> touched = new ArrayList<>(st.inputs());
        touched.addAll(st.outputs());
        if (st.lowering().fusion() instanceof Lowering.Fusion.Sums sums) {
            touched.addAll(sums.outs());
        }
        return touched;
    }

    /** The step whose kernel computes {@code st}: itself, or the step writing what it is absorbed by. */
    private static Step computedBy(Step st, List<Step> steps) {
        if (st.lowering().fusion() instanceof Lowering.Fusion.Absorbed a) {
            return steps.stream().filter(o -> o.outputs().contains(a.by())).findFirst().orElse(st);
        }
        return st;
    }
}
