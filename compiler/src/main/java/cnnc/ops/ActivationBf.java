package cnnc.ops;

/**
 * relu_bf, sigmoid_bf, tanh_bf. Inputs: {@code ΔY} and {@code X} (relu) or {@code Y} (sigmoid, tanh).
 * Output: {@code ΔX}. Formulas in {@link Activation.Fn}.
 */
public record ActivationBf(Activation.Fn fn) implements BackwardOp {

    @Override
    public String mnemonic() {
        return fn.word + "_bf";
    }

    @Override
    public String formula() {
        return fn.backward;
    }
}
