package cnnc.ops;

/**
 * BN_BF: the sensitivity of a batch norm's input (equal to the seeds' six formulas).
 *
 * <p>{@code ΔX = γ·invstd · (ΔY - mean(ΔY) - x̂·mean(ΔY·x̂))}, {@code x̂ = (X - μ)·invstd}.
 * Inputs: {@code ΔY, X, γ, μ, invstd}. Output: {@code ΔX}.
 */
public record BnBf(BatchNorm bn) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "bn_bf";
    }

    @Override
    public String formula() {
        return "ΔX = γ/sqrt(σ²+ε) · (ΔY - mean(ΔY) - x̂·mean(ΔY·x̂)), means per " + (bn.perChannel() ? "channel" : "element");
    }
}
