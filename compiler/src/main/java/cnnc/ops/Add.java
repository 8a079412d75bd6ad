package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code add(a, b)}: element-wise sum of two tensors of one shape.
 * <p>Forward: {@code Y = A + B}. Backward: {@code ΔA = ΔY, ΔB = ΔY}.
 */
public record Add() implements ForwardOp {

    public static final Signature SIGNATURE = Signature.of("add", 2);

    public static Add define(Call c) {
        if (!c.shape(0).equals(c.shape(1))) {
            c.error(c.tensorPos(1), "add '" + c.node() + "' needs two tensors of one shape, but '" + c.tensors().get(0).name()
                    + "' is " + c.shape(0) + " and '" + c.tensors().get(1).name() + "' is " + c.shape(1),
                    "a tensor of shape " + c.shape(0));
            return null;
        }
        return new Add();
    }

    @Override
    public Shape outShape(List<Shape> in) {
        return in.get(0);
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        List<Buffer> outs = new ArrayList<>();
        for (int slot = 0; slot < 2; slot++) {
            if (ctx.needs(step.input(slot))) {
                outs.add(ctx.contribution(step, slot));
            }
        }
        if (outs.isEmpty()) {
            return List.of();
        }
        return List.of(ctx.step(new AddBf(), List.of(ctx.sensitivity(step.output())), outs, step));
    }

    @Override
    public String mnemonic() {
        return "add";
    }

    @Override
    public String formula() {
        return "Y = A + B";
    }
}
