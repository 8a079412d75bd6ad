package cnnc.ops;

/**
 * The sum of the contributions to the sensitivity of a tensor that feeds several edges
 * ({@code ΔX = Σ_e ΔX~e}), in a fixed order (the consumers' order in the .cnn file) so results are
 * bit-identical run after run. Inputs: the partials. Output: {@code ΔX}.
 */
public record Accumulate(int count) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "accumulate";
    }

    @Override
    public String formula() {
        return "ΔX = Σ_e ΔX~e over " + count + " contributions, in .cnn order";
    }
}
