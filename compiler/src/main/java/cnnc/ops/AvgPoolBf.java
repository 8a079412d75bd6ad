package cnnc.ops;

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
}
