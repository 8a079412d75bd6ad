package cnnc.ops;

/**
 * dropout_bf: {@code ΔX = ΔY·M/(1-p)}, through the mask the training forward pass kept.
 * Inputs: {@code ΔY, M}. Output: {@code ΔX}.
 */
public record DropoutBf(Dropout dropout) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "dropout_bf";
    }

    @Override
    public String formula() {
        return "ΔX = ΔY · M / (1 - " + dropout.p() + ")";
    }
}
