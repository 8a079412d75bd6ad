package cnnc.ir;

import cnnc.diag.Pos;
import cnnc.ops.Op;
import java.util.List;

/**
 * One edge of the graph: an operation reading some buffers and writing others. {@code node} is the
 * .cnn tensor the step was written for (or derived from) and {@code pos} its statement, so dumps and
 * generated code can cite {@code file:line}.
 */
public record Step(Op op, List<Buffer> inputs, List<Buffer> outputs, String node, Pos pos) {

    public Step {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException(op.mnemonic() + " writes nothing");
        }
    }

    public Buffer input(int i) {
        return inputs.get(i);
    }

    public Buffer output() {
        return outputs.get(0);
    }
}
