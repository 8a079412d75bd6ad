package cnnc.ops;

/**
 * Full_grad: {@code ΔW[k][l] = Σ_t ΔY[t][k]·x[t][l]}, {@code Δb[k] = Σ_t ΔY[t][k]}.
 * Inputs: {@code ΔY, x}. Outputs: {@code ΔW} (and {@code Δb}).
 */
public record FullGrad(Full full) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "full_grad";
    }

    @Override
    public String formula() {
        return "ΔW[k][l] = Σ_t ΔY[t][k] · x[t][l]" + (full.bias() ? "; Δb[k] = Σ_t ΔY[t][k]" : "");
    }
}
