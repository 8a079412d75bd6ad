package cnnc.ops;

import cnnc.ir.Step;

/**
 * Deconv_grad: the weight gradient of a transposed convolution, {@code conv_grad} of its {@link Deconv#dual}
 * with the roles swapped ({@code X} plays the convolution's output sensitivity, {@code ΔY} its input):
 * {@code ΔW[c][k][u][v] = Σ_t Σ_i Σ_j X[t][c][i][j] · ΔY[t][k][i·sh - p + u][j·sw - q + v]}.
 * Inputs: {@code X, ΔY}. Output: {@code ΔW} (the bias gradient is a {@link BiasGrad} step). {@code algo}: the
 * conv_grad kernel computing it (the {@code conv-kernels} pass).
 */
public record DeconvGrad(Deconv deconv, Conv.Algo algo) implements BackwardOp {

    /** Before the conv-kernels pass: the kernel not yet chosen. */
    public DeconvGrad(Deconv deconv) {
        this(deconv, Conv.Algo.AUTO);
    }

    /** The conv_grad step the backends render: the dual convolution's, without bias. */
    public ConvGrad convGrad() {
        return new ConvGrad(deconv.dual());
    }

    @Override
    public String mnemonic() {
        return "deconv_grad";
    }

    @Override
    public String formula() {
        return "ΔW[c][k][u][v] = Σ_t Σ_i Σ_j X[t][c][i][j] · ΔY[t][k][i·" + deconv.sh() + " - " + deconv.ph() + " + u][j·"
                + deconv.sw() + " - " + deconv.pw() + " + v]";
    }

    @Override
    public String detail(Step step) {
        return "conv_grad with X as ΔY and ΔY as X" + (algo == Conv.Algo.AUTO ? "" : ", algo " + algo.word());
    }
}
