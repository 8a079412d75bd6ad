package cnnc.ops;

import cnnc.ir.Step;

/**
 * Softmax_BF fused with the cross-entropy loss, where the backward graph starts:
 * {@code ΔX = (y - z)/T} for the softmax's input (the seeds' {@code δ = -(z - y)} per sample, averaged
 * over the batch; soft labels allowed). Inputs: {@code y, z}. Output: {@code ΔX}.
 */
public record SoftmaxCeBf(int batch) implements BackwardOp {

    @Override
    public String mnemonic() {
        return "softmax_ce_bf";
    }

    @Override
    public String formula() {
        return "ΔX = (y - z) / " + batch;
    }

    @Override
    public String detail(Step step) {
        return "Δ" + step.input(0).name() + " is not materialized: softmax and loss are fused";
    }
}
