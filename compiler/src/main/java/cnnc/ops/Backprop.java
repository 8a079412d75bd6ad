package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Step;

/**
 * What a backward rule may ask of the reverse walk (implemented in {@code cnnc.autodiff}). The walk
 * owns naming and fan-out: a rule writes its input sensitivities to {@link #contribution}, which is
 * {@code grad.x} itself or, when {@code x} feeds several edges, a partial that the walk sums.
 */
public interface Backprop {

    /** Whether tensor {@code x} needs a sensitivity (it reaches the loss and something trained, or an asked-for input, reaches it). */
    boolean needs(Buffer x);

    /** The sensitivity {@code ΔY} of a step's output. */
    Buffer sensitivity(Buffer y);

    /** Where {@code step}'s backward writes the sensitivity of its input {@code slot}. */
    Buffer contribution(Step step, int slot);

    /** The gradient {@code ΔW} of a parameter. */
    Buffer gradient(Buffer param);

    /** The forward step that defines {@code x} (null for inputs). */
    Step producer(Buffer x);

    /** Marks a forward step whose backward another rule has folded into its own (softmax into the loss). */
    void fuse(Step step);

    /** A backward step citing the forward step it came from. */
    default Step step(Op op, java.util.List<Buffer> inputs, java.util.List<Buffer> outputs, Step from) {
        return new Step(op, inputs, outputs, from.node(), from.pos());
    }
}
