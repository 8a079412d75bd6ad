package cnnc.ops;

/** Add_BF: every output is a copy of {@code ΔY} ({@code ΔA = ΔB = ΔY}). Inputs: {@code ΔY}. */
public record AddBf() implements BackwardOp {

    @Override
    public String mnemonic() {
        return "add_bf";
    }

    @Override
    public String formula() {
        return "ΔA = ΔY; ΔB = ΔY";
    }
}
