package cnnc.ops;

import java.util.List;

/**
 * Concat_BF: splits {@code ΔY} back along channels, {@code ΔA[t][c] = ΔY[t][offset + c]}; output {@code i}
 * starts at channel {@code offsets[i]}. Inputs: {@code ΔY}.
 */
public record ConcatBf(List<Integer> offsets) implements BackwardOp {

    public ConcatBf {
        offsets = List.copyOf(offsets);
    }

    @Override
    public String mnemonic() {
        return "concat_bf";
    }

    @Override
    public String formula() {
        return "ΔA[t][c] = ΔY[t][offset + c], offsets " + offsets;
    }
}
