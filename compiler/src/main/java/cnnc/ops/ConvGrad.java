package cnnc.ops;

/**
 * Conv_grad: the gradients of a convolution's weights and bias.
 *
 * <p>{@code ΔW[k][c][p][q] = Σ_t Σ_i Σ_j ΔY[t][k][i][j] · X[t][c][i·sh - Pt + p][j·sw - Pl + q]},
 * {@code Δb[k] = Σ_{t,i,j} ΔY[t][k][i][j]}. Inputs: {@code ΔY, X}. Outputs: {@code ΔW} (and {@code Δb}).
 */
public record ConvGrad(Conv conv, Conv.Algo algo) implements BackwardOp {

    /** Before the conv-kernels pass: the algorithm not yet chosen. */
    public ConvGrad(Conv conv) {
        this(conv, Conv.Algo.AUTO);
    }

    @Override
    public String detail(cnnc.ir.Step step) {
        String d = Conv.algoDetail(algo);
        return d.isEmpty() ? "" : d.substring(2);
    }

    @Override
    public String mnemonic() {
        return "conv_grad";
    }

    @Override
    public String formula() {
        return "ΔW[k][c][p][q] = Σ_t Σ_i Σ_j ΔY[t][k][i][j] · X[t][c][i·" + conv.sh() + " - " + conv.pt() + " + p][j·"
                + conv.sw() + " - " + conv.pl() + " + q]" + (conv.bias() ? "; Δb[k] = Σ_t,i,j ΔY[t][k][i][j]" : "");
    }
}
