package cnnc.ops;

import cnnc.ir.Step;

/**
 * Pooling_BF for max pooling: scatters sensitivities through the path tensor.
 * {@code ΔX = 0; for every output: ΔX[t][c][Path[t][c][i][j]] += ΔY[t][c][i][j]} — accumulated, since
 * overlapping windows can route several outputs to one input (parallel code gathers instead of
 * racing). Inputs: {@code ΔY, Path}. Output: {@code ΔX}.
 */
public record MaxPoolBf(Pool pool) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "maxpool_bf";
    }

    @Override
    public String formula() {
        return "ΔX = 0; ΔX[t][c][Path[t][c][i][j]] += ΔY[t][c][i][j]";
    }

    @Override
    public String detail(Step step) {
        return "through " + step.input(1).name() + (pool.overlapping() ? ", overlapping windows accumulate" : "");
    }
}
