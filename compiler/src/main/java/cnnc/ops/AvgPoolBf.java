package cnnc.ops;

import cnnc.ir.Step;

/**
 * Pooling_BF for average pooling: {@code ΔX[cell] += ΔY[t][c][i][j] / count} for every in-range cell
 * of every window. Inputs: {@code ΔY}. Output: {@code ΔX}.
 */
public record AvgPoolBf(Pool pool) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "avgpool_bf";
    }

    @Override
    public String formula() {
        return "ΔX[t][c][i·" + pool.sh() + " + a][j·" + pool.sw() + " + b] += ΔY[t][c][i][j] / count";
    }

    @Override
    public String detail(Step step) {
        return "window " + pool.p() + "x" + pool.q() + ", stride " + pool.sh() + "x" + pool.sw()
                + (pool.overlapping() ? ", overlapping windows accumulate" : "");
    }
}
