package cnnc.ops;

import cnnc.ir.Step;

/**
 * Full_BF: {@code Δx[t][l] = Σ_k W[k][l]·ΔY[t][k]}, the transposed weight matrix.
 * Inputs: {@code ΔY, W}. Output: {@code Δx} (shaped like the forward input).
 */
public record FullBf(Full full) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "full_bf";
    }

    @Override
    public String formula() {
        return "Δx[t][l] = Σ_k W[k][l] · ΔY[t][k]";
    }

    @Override
    public String detail(Step step) {
        return "Wᵀ of " + step.input(1).name();
    }
}
