package cnnc.ops;

/**
 * Bias_grad: the gradient of a per-channel bias, {@code Δb[k] = Σ_t Σ_i Σ_j ΔY[t][k][i][j]}, summed in
 * {@code (t, i, j)} order (in double where the backend has it), as conv_grad sums its own bias.
 * Input: {@code ΔY}. Output: {@code Δb}.
 */
public record BiasGrad() implements BackwardOp {

    @Override
    public String mnemonic() {
        return "bias_grad";
    }

    @Override
    public String formula() {
        return "Δb[k] = Σ_t Σ_i Σ_j ΔY[t][k][i][j]";
    }
}
