package cnnc.ir;

/** What a buffer holds; decides its name prefix, its memory class and whether it is trained. */
public enum Role {
    /** A network input {@code X}. */
    INPUT,
    /** The labels the loss compares with. */
    TARGET,
    /** A forward tensor defined by an operation. */
    ACTIVATION,
    /** A trained parameter (weights, bias, γ, β). */
    PARAMETER,
    /** Non-trained state kept across steps and saved with the weights (bn running statistics). */
    STATE,
    /** Max-pool argmax positions (int), the seeds' 溯源标记数据块. */
    PATH,
    /** Forward values kept for the backward pass (bn batch mean and 1/σ). */
    SAVED,
    /** A sensitivity {@code ΔX = ∂J/∂X}. */
    SENSITIVITY,
    /** One edge's contribution to a sensitivity of a fanned-out tensor, summed by an accumulate. */
    PARTIAL,
    /** A parameter gradient {@code ΔW}. */
    GRADIENT,
    /** The scalar loss {@code J}. */
    LOSS,
    /** A dropout's mask, {@code mask.<node>}: 1 where the last training pass kept an element, 0 where it dropped it. */
    MASK;

    /**
     * Whether only training's forward pass writes it, for its backward pass (max-pool paths, bn's batch
     * statistics, dropout masks): an inference build (no backward graph) allocates none of these.
     */
    public boolean forBackwardOnly() {
        return switch (this) {
            case PATH, SAVED, MASK -> true;
            case INPUT, TARGET, ACTIVATION, PARAMETER, STATE, SENSITIVITY, PARTIAL, GRADIENT, LOSS -> false;
        };
    }

    /**
     * The role a {@code cnnc.runtime.Network} exposes the buffer with, or null for the internal ones
     * (saved bn statistics, partial sensitivities); both backends use this one mapping.
     */
    public cnnc.runtime.TensorSpec.Role runtime() {
        return switch (this) {
            case INPUT -> cnnc.runtime.TensorSpec.Role.INPUT;
            case TARGET -> cnnc.runtime.TensorSpec.Role.TARGET;
            case ACTIVATION -> cnnc.runtime.TensorSpec.Role.ACTIVATION;
            case PARAMETER -> cnnc.runtime.TensorSpec.Role.PARAMETER;
            case STATE -> cnnc.runtime.TensorSpec.Role.STATE;
            case PATH -> cnnc.runtime.TensorSpec.Role.PATH;
            case SENSITIVITY -> cnnc.runtime.TensorSpec.Role.SENSITIVITY;
            case GRADIENT -> cnnc.runtime.TensorSpec.Role.GRADIENT;
            case LOSS -> cnnc.runtime.TensorSpec.Role.LOSS;
            case MASK -> cnnc.runtime.TensorSpec.Role.MASK;
            case SAVED, PARTIAL -> null;
        };
    }
}
