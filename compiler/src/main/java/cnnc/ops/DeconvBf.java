package cnnc.ops;

import cnnc.ir.Step;

/**
 * Deconv_BF: the sensitivity of a transposed convolution's input is a plain convolution of {@code ΔY} with
 * the same weights, read as {@code W[c][k][u][v]} (the deconv's input channel {@code c} is the output channel):
 * {@code ΔX[t][c][i][j] = Σ_k Σ_u Σ_v W[c][k][u][v] · ΔY[t][k][i·sh - p + u][j·sw - q + v]}, that is
 * {@code conv} of the deconv's {@link Deconv#dual} (no bias), which the backends render with their conv kernels.
 * Inputs: {@code ΔY, W}. Output: {@code ΔX}. {@code algo}: the conv kernel computing it (the {@code conv-kernels} pass).
 */
public record DeconvBf(Deconv deconv, Conv.Algo algo) implements BackwardOp {

    /** Before the conv-kernels pass: the kernel not yet chosen. */
    public DeconvBf(Deconv deconv) {
        this(deconv, Conv.Algo.AUTO);
    }

    @Override
    public String mnemonic() {
        return "deconv_bf";
    }

    @Override
    public String formula() {
        return "ΔX[t][c][i][j] = Σ_k Σ_u<" + deconv.m() + " Σ_v<" + deconv.n() + " W[c][k][u][v] · ΔY[t][k][i·" + deconv.sh()
                + " - " + deconv.ph() + " + u][j·" + deconv.sw() + " - " + deconv.pw() + " + v]";
    }

    @Override
    public String detail(Step step) {
        Conv d = deconv.dual();
        return "conv of ΔY with W, pads (" + d.pt() + "," + d.pb() + "," + d.pl() + "," + d.pr() + ")"
                + (d.sh() * d.sw() > 1 ? ", stride " + d.sh() + "x" + d.sw() : "") + Conv.algoDetail(algo);
    }
}
