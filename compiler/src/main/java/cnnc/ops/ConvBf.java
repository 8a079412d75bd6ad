package cnnc.ops;

import cnnc.ir.Step;

/**
 * Conv_BF: the sensitivity of a convolution's input, itself a convolution of {@code ΔY} with the
 * kernels rotated 180° and the channel matrix transposed, {@code V[c][k][p][q] = W[k][c][M-1-p][N-1-q]},
 * at the backward anchor {@code (M-1-m, N-1-n)}. With stride > 1 it is the transposed convolution:
 * {@code ΔY} dilated by the stride, whose zero taps generated code skips.
 *
 * <p>{@code ΔX[t][c][i][j] = Σ_k Σ_p Σ_q V[c][k][p][q] · ΔY[t][k][i - (M-1-Pt) + p][j - (N-1-Pl) + q]} (stride 1).
 * Inputs: {@code ΔY, W}. Output: {@code ΔX}.
 */
public record ConvBf(Conv conv, Conv.Algo algo) implements BackwardOp {

    /** Before the conv-kernels pass: the algorithm not yet chosen. */
    public ConvBf(Conv conv) {
        this(conv, Conv.Algo.AUTO);
    }

    /** The backward anchor {@code (M-1-m, N-1-n)}. */
    public int[] backwardAnchor() {
        return new int[] {conv.m() - 1 - conv.pt(), conv.n() - 1 - conv.pl()};
    }

    @Override
    public String mnemonic() {
        return "conv_bf";
    }

    @Override
    public String formula() {
        int[] a = backwardAnchor();
        String dilated = conv.sh() * conv.sw() > 1 ? "dilate(ΔY, " + conv.sh() + "x" + conv.sw() + ")" : "ΔY";
        return "ΔX[t][c][i][j] = Σ_k Σ_p<" + conv.m() + " Σ_q<" + conv.n() + " V[c][k][p][q] · " + dilated
                + "[t][k][i - " + a[0] + " + p][j - " + a[1] + " + q]";
    }

    @Override
    public String detail(Step step) {
        int[] a = backwardAnchor();
        String w = step.node();
        return "V = rot180(W[" + w + "])ᵀ, anchor (" + a[0] + "," + a[1] + ")"
                + (conv.sh() * conv.sw() > 1 ? ", transposed stride " + conv.sh() + "x" + conv.sw() : "") + Conv.algoDetail(algo);
    }
}
