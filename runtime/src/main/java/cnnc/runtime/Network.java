package cnnc.runtime;

import java.util.List;

/**
 * What every network implements, generated or hand-written: a fixed batch size, flat float
 * buffers in row-major NCHW order (docs/language.md §1) that callers read and write in place, and the
 * forward, inference and backward passes over them.
 *
 * <p>Buffers are live: {@link #tensor(String)} returns the array the network computes in, so
 * filling the input buffer and calling {@link #forward()} runs the network on that input, and an
 * optimizer that updates a parameter buffer changes the model. Implementations allocate every
 * buffer once, in the constructor, and never replace them.
 *
 * <p>Names (docs/files.md): activations by node name ({@code c1}), the input and target by their
 * declared names, sensitivities {@code grad.<node>}, parameters {@code <node>.weight},
 * {@code <node>.bias}, {@code <node>.gamma}, {@code <node>.beta}, bn running statistics
 * {@code <node>.running_mean} and {@code <node>.running_var}, parameter gradients
 * {@code grad.<parameter>}, max-pool paths {@code path.<node>}, and the loss {@code loss}.
 *
 * <p>Generated classes are compiled by Janino, so this interface stays Java-8 simple. A network is
 * not thread-safe: one caller at a time (it may use threads inside, see {@link #setThreads(int)}).
 */
public interface Network extends AutoCloseable {

    /** The network's name as declared in the model ({@code network lenet5 { ... }}). */
    String name();

    /** The batch size T every buffer is specialized to. */
    int batch();

    /**
     * Runs the forward pass in training mode: bn normalizes with the batch statistics and updates
     * its running statistics; the loss is computed from the target buffer.
     */
    void forward();

    /**
     * Runs the forward pass in inference mode: bn uses its running statistics and changes no
     * state. The loss is still computed if the network has one (from whatever the target holds).
     */
    void infer();

    /**
     * Runs the backward pass for the last {@link #forward()}: writes (overwrites, never
     * accumulates across calls) every sensitivity and every parameter gradient.
     */
    void backward();

    /** The loss of the last forward or infer pass (mean over the batch, docs/language.md §3). */
    float loss();

    /**
     * The live buffer of a float tensor: input, target, activation, sensitivity, parameter,
     * state, gradient or loss (a float[1]).
     *
     * @throws IllegalArgumentException if the network has no float tensor of that name
     */
    float[] tensor(String name);

    /**
     * The live buffer of a max-pool path tensor ({@code path.<node>}): for every pooled output
     * element, the position {@code i*W + j} of the winner in its input map.
     *
     * @throws IllegalArgumentException if the network has no path tensor of that name
     */
    int[] path(String name);

    /**
     * Every buffer of the network, in a stable order (inputs first, then forward order); each
     * buffer's length equals {@link TensorSpec#size()}.
     */
    List<TensorSpec> tensors();

    /**
     * Names of the trainable parameters, in a stable order; the gradient of each is
     * {@code "grad." + name}. Running statistics are not among them (they are
     * {@link TensorSpec.Role#STATE}).
     */
    String[] parameterNames();

    /** Name of the input tensor (shape [T, C, H, W]). */
    String inputName();

    /** Name of the target tensor (shape [T, K, 1, 1] for classification). */
    String targetName();

    /** Name of the softmax output that the loss reads (what evaluation takes the argmax of). */
    String outputName();

    /**
     * The identity of the graph this network was compiled from ({@code sha256:<hex>}, what
     * {@code cnnc train} stores as metadata {@code graph_hash} in weight files), or null if the
     * implementation does not know it. {@link cnnc.runtime.io.NetworkFiles#loadWeights} names it
     * when a file's weights do not fit.
     */
    default String graphHash() {
        return null;
    }

    /**
     * Sets the training step the next {@link #forward()} draws its dropout masks for (the mask is a
     * function of the seed, the step and the element, {@link DropoutMask}); each {@code forward()}
     * then advances it by one. {@code cnnc train}'s loop sets it to {@code epoch·steps + step}
     * before every batch, so a resumed run draws the same masks. The default ignores it (a network
     * without dropout).
     */
    default void setStep(long step) {
        // no dropout: nothing is drawn
    }

    /**
     * Sets how many threads the passes may use; results must not depend on it (docs/language.md §4).
     * The default ignores the request (single-threaded networks).
     */
    default void setThreads(int n) {
        // single-threaded by default
    }

    /**
     * Gives back what the network holds beyond its buffers: a generated Java network stops its
     * worker threads and runs its passes on the caller from then on (the same results, see
     * {@link #setThreads(int)}); an OpenCL network frees its device memory and is unusable
     * afterwards. Closing twice does nothing.
     */
    @Override
    default void close() {
        setThreads(1);
    }
}
