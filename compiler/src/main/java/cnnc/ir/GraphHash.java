package cnnc.ir;

import cnnc.runtime.io.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The identity of a trained graph, stored in weight files as {@code graph_hash}: SHA-256 over a
 * canonical text of the forward graph (every step's operation with all its settings, and every
 * buffer it reads and writes with its shape). The batch dimension is left out, so weights trained at
 * batch 64 load into the same model compiled at batch 1; source positions and comments are left out,
 * so editing a comment keeps the hash. Generated Java classes carry it as {@code GRAPH_HASH} and
 * {@code graphHash()}, so the runtime can refuse weights trained for another graph.
 */
public final class GraphHash {

    /** Metadata key of the hash (the runtime's {@code Trainer.GRAPH_HASH}). */
    public static final String KEY = cnnc.runtime.train.Trainer.GRAPH_HASH;

    private GraphHash() {}

    /** {@code sha256:<64 hex digits>}. */
    public static String of(Model model) {
        return "sha256:" + Sha256.hex(canonical(model).getBytes(StandardCharsets.UTF_8));
    }

    /** The text hashed: one line per forward step, e.g. {@code c1 = Conv[k=6, ...](x 1x28x28, c1.weight 6x1x5x5, ...) -> c1 6x28x28}. */
    public static String canonical(Model model) {
        StringBuilder s = new StringBuilder("network ").append(model.name()).append('\n');
        for (Buffer b : model.forward().sources()) {
            s.append("source ").append(buffer(b)).append('\n');
        }
        for (Step step : model.forward().steps()) {
            s.append(step.node()).append(" = ").append(step.op()).append('(').append(buffers(hashed(step)))
                    .append(") -> ").append(buffers(step.outputs())).append('\n');
        }
        return s.toString();
    }

    /**
     * The inputs that define the step's value: an input read only for a stable computation
     * (cross_entropy's logits, since weights of an earlier release read only {@code y}) is left out,
     * so weights trained before it was added still load.
     */
    private static List<Buffer> hashed(Step step) {
        if (!(step.op() instanceof cnnc.ops.ForwardOp op)) {
            return step.inputs();
        }
        List<Buffer> kept = new java.util.ArrayList<>();
        for (int slot = 0; slot < step.inputs().size(); slot++) {
            if (op.differentiates(slot)) {
                kept.add(step.input(slot));
            }
        }
        return kept;
    }

    private static String buffers(List<Buffer> list) {
        StringBuilder s = new StringBuilder();
        for (Buffer b : list) {
            s.append(s.isEmpty() ? "" : ", ").append(buffer(b));
        }
        return s.toString();
    }

    /** Name, role, dtype and shape; per sample for tensors whose first dimension is the batch. */
    private static String buffer(Buffer b) {
        List<Integer> dims = b.shape().dims();
        boolean batched = switch (b.role()) {
            case INPUT, TARGET, ACTIVATION, PATH, MASK -> true;
            default -> false;
        };
        List<Integer> shown = batched && !dims.isEmpty() ? dims.subList(1, dims.size()) : dims;
        StringBuilder s = new StringBuilder(b.name()).append(' ').append(b.role()).append(' ').append(b.dtype()).append(' ');
        for (int i = 0; i < shown.size(); i++) {
            s.append(i == 0 ? "" : "x").append(shown.get(i));
        }
        return s.toString();
    }
}
