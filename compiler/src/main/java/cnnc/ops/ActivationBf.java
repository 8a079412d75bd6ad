package cnnc.ops;

/**
 * relu_bf, sigmoid_bf, tanh_bf, ...: {@code ΔX} of an element-wise function. Inputs: {@code ΔY} and
 * {@code X} or {@code Y} ({@link Activation#readsOutput}). Output: {@code ΔX}, by
 * {@link Activation#backwardExpr}.
 */
public record ActivationBf(Activation activation) implements BackwardOp {

    public Activation.Fn fn() {
        return activation.fn();
    }

    @Override
    public String mnemonic() {
        return activation.fn().word + "_bf";
    }

    @Override
    public String formula() {
        return activation.backwardFormula();
    }
}
