package cnnc.passes;

import cnnc.ir.Graph;
import cnnc.ir.Lowering;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.Conv;
import cnnc.ops.Full;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code fuse-activations} pass: a conv or full whose output only a relu reads computes the relu
 * too, writing both outputs in one pass over memory (the relu's backward reads its own output; the
 * conv's output, which nothing else reads, is transient on the Java backend). Recorded as
 * {@link Lowering.Fusion.Epilogue} on the conv or full and
 * {@link Lowering.Fusion.Absorbed} on the relu. The OpenCL backend renders it as one kernel
 * ({@code conv_relu_*}, {@code full_relu_*}); the Java backend keeps the two methods, which the
 * {@link SampleRuns per-sample run} already runs back to back on one sample's maps in cache.
 * Only the forward graph: the backward relu reads two tensors and no kernel writes its input alone.
 */
public final class FuseActivations {

    private FuseActivations() {}

    public static Model run(Model m) {
        return m.withGraphs(map(m.forward()), m.backward());
    }

    private static Graph map(Graph g) {
        Map<Step, Lowering.Fusion> fusion = new IdentityHashMap<>();
        for (Step s : g.steps()) {
            if (s.op() instanceof Conv || s.op() instanceof Full) {
                List<Step> readers = g.consumers(s.output());
                if (readers.size() == 1 && readers.get(0).op() instanceof Activation a && a.fn() == Activation.Fn.RELU) {
                    fusion.put(s, new Lowering.Fusion.Epilogue(readers.get(0).output()));
                    fusion.put(readers.get(0), new Lowering.Fusion.Absorbed(s.output()));
                }
            }
        }
        List<Step> steps = new ArrayList<>();
        for (Step s : g.steps()) {
            Lowering.Fusion f = fusion.get(s);
            steps.add(f == null ? s : s.withLowering(s.lowering().withFusion(f)));
        }
        return new Graph(g.sources(), steps);
    }
}
