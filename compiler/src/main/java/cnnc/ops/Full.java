package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Init;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code full(x, K, bias: true, init: he)}: a fully connected layer over the input flattened per
 * sample to {@code L = C·H·W} values in {@code (c, i, j)} order. {@code W[K][L]}, {@code b[K]}, output
 * {@code T x K x 1 x 1}.
 *
 * <p>Forward: {@code Y[t][k] = b[k] + Σ_l W[k][l]·x[t][l]}.
 * <br>Backward: {@code Δx[t][l] = Σ_k W[k][l]·ΔY[t][k]} (the transposed matrix),
 * {@code ΔW[k][l] = Σ_t ΔY[t][k]·x[t][l]}, {@code Δb[k] = Σ_t ΔY[t][k]}.
 */
public record Full(int k, boolean bias, Init init) implements ForwardOp {

    public static final Signature SIGNATURE = Signature.of("full", 1,
            Param.count("K", true), Param.bool("bias", true), Param.choice("init", Init.HE, Conv.WEIGHT_INITS));

    public static Full define(Call c) {
        return new Full(c.count("K"), c.bool("bias"), c.choice("init", Init.class));
    }

    @Override
    public Shape outShape(List<Shape> in) {
        return Shape.of(in.get(0).n(), k, 1, 1);
    }

    @Override
    public List<Buffer> params(String node, List<Shape> in) {
        List<Buffer> out = new ArrayList<>();
        out.add(Buffer.owned(node, "weight", Role.PARAMETER, Shape.of(k, (int) in.get(0).perSample()), init));
        if (bias) {
            out.add(Buffer.owned(node, "bias", Role.PARAMETER, Shape.of(k), Init.ZERO));
        }
        return out;
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        Buffer x = step.input(0);
        Buffer dy = ctx.sensitivity(step.output());
        List<Step> out = new ArrayList<>();
        if (ctx.needs(x)) {
            out.add(ctx.step(new FullBf(this), List.of(dy, step.input(1)), List.of(ctx.contribution(step, 0)), step));
        }
        List<Buffer> grads = step.inputs().subList(1, step.inputs().size()).stream().map(ctx::gradient).toList();
        out.add(ctx.step(new FullGrad(this), List.of(dy, x), grads, step));
        return out;
    }

    @Override
    public String mnemonic() {
        return "full";
    }

    @Override
    public String formula() {
        return "Y[t][k] = " + (bias ? "b[k] + " : "") + "Σ_l W[k][l] · x[t][l]";
    }
}
