package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.List;

/**
 * A forward operation: its shape rule, the parameters it owns, the extra buffers it writes (path
 * tensors, saved statistics) and its backward rule. A forward step reads the tensors the user named
 * followed by {@link #params}; it writes its result followed by {@link #extras}.
 */
public sealed interface ForwardOp extends Op
        permits Conv, BatchNorm, Activation, Pool, Full, Softmax, Add, Concat, CrossEntropy, Deconv, Dropout {

    /** The shape rule: output shape from the input tensors' shapes (already checked by {@code define}). */
    Shape outShape(List<Shape> in);

    /** Parameters and state this edge owns, named {@code <node>.weight} etc. (docs/files.md). */
    default List<Buffer> params(String node, List<Shape> in) {
        return List.of();
    }

    /** Buffers written besides the result (path tensor, saved batch statistics). */
    default List<Buffer> extras(String node, Shape out, List<Shape> in) {
        return List.of();
    }

    /**
     * Whether the backward rule contributes to input {@code slot}'s sensitivity. False for an input a
     * step reads only to compute its value stably: cross_entropy's logits, whose sensitivity its rule
     * writes through the softmax it fuses.
     */
    default boolean differentiates(int slot) {
        return true;
    }

    /**
     * The backward rule: the steps that compute this step's input sensitivities (only those
     * {@link Backprop#needs} asks for) and its parameter gradients, given the sensitivity of its
     * output. Returns graph steps, not code.
     */
    List<Step> backward(Backprop ctx, Step step);
}
