package cnnc.ops;

/** Softmax_BF without a loss after it: {@code ΔX = Y·(ΔY - Σ_c ΔY·Y)}. Inputs: {@code ΔY, Y}. Output: {@code ΔX}. */
public record SoftmaxBf() implements BackwardOp {

    @Override
    public String mnemonic() {
        return "softmax_bf";
    }

    @Override
    public String formula() {
        return "ΔX = Y · (ΔY - Σ_c ΔY·Y)";
    }
}
