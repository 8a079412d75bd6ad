package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Step;
import java.util.stream.Collectors;

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

    /** {@code grad.r = grad.r~c + grad.r~s}: which edges contribute, in the order they are summed. */
    @Override
    public String detail(Step step) {
        return step.output().name() + " = " + step.inputs().stream().map(Buffer::name).collect(Collectors.joining(" + "));
    }
}
