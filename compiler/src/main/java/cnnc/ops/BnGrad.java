package cnnc.ops;

/**
 * BN_grad: {@code Δγ = Σ ΔY·x̂}, {@code Δβ = Σ ΔY}, sums over the values of each statistic.
 * Inputs: {@code ΔY, X, μ, invstd}. Outputs: {@code Δγ, Δβ}.
 */
public record BnGrad(BatchNorm bn) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "bn_grad";
    }

    @Override
    public String formula() {
        return "Δγ = Σ ΔY·x̂; Δβ = Σ ΔY, sums per " + (bn.perChannel() ? "channel over (t,i,j)" : "element over t");
    }
}
