package cnnc.ir;

import cnnc.diag.Pos;
import cnnc.ops.Op;
import java.util.List;

/**
 * One edge of the graph: an operation reading some buffers and writing others. {@code node} is the
 * .cnn tensor the step was written for (or derived from) and {@code pos} its statement, so dumps and
 * generated code can cite {@code file:line}. {@code lowering} is what the lowering passes decided for it
 * ({@link Lowering#NONE} before they ran).
 */
public record Step(Op op, List<Buffer> inputs, List<Buffer> outputs, String node, Pos pos, Lowering lowering) {

    public Step(Op op, List<Buffer> inputs, List<Buffer> outputs, String node, Pos pos) {
        this(op, inputs, outputs, node, pos, Lowering.NONE);
    }

    public Step {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException(op.mnemonic() + " writes nothing");
        }
        java.util.Objects.requireNonNull(lowering, "lowering");
    }

    /** This step computing {@code o} instead (a pass's choice recorded in the op), with the same lowering. */
    public Step withOp(Op o) {
        return new Step(o, inputs, outputs, node, pos, lowering);
    }

    public Step withLowering(Lowering l) {
        return new Step(op, inputs, outputs, node, pos, l);
    }

    public Buffer input(int i) {
        return inputs.get(i);
    }

    public Buffer output() {
        return outputs.get(0);
    }
}
