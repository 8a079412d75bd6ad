package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code concat(a, b, ...)}: stacks tensors along channels; all share {@code T, H, W}.
 * <p>Forward: {@code Y[t][offset_a + c] = A[t][c]}. Backward: {@code ΔA[t][c] = ΔY[t][offset_a + c]}
 * (the sensitivity split back).
 */
public record Concat() implements ForwardOp {

    public static final Signature SIGNATURE = Signature.variadic("concat", 2);

    public static Concat define(Call c) {
        Shape first = c.shape(0);
        boolean ok = true;
        for (int i = 1; i < c.tensors().size(); i++) {
            Shape s = c.shape(i);
            if (s.h() != first.h() || s.w() != first.w()) {
                c.error(c.tensorPos(i), "concat '" + c.node() + "' joins along channels, so every tensor needs the "
                        + "height and width of '" + c.tensors().get(0).name() + "' (" + first + "), but '"
                        + c.tensors().get(i).name() + "' is " + s,
                        "a tensor of shape " + first.n() + "xCx" + first.h() + "x" + first.w());
                ok = false;
            }
        }
        return ok ? new Concat() : null;
    }

    @Override
    public Shape outShape(List<Shape> in) {
        int channels = in.stream().mapToInt(Shape::c).sum();
        Shape x = in.get(0);
        return Shape.of(x.n(), channels, x.h(), x.w());
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        List<Buffer> outs = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int offset = 0;
        for (int slot = 0; slot < step.inputs().size(); slot++) {
            if (ctx.needs(step.input(slot))) {
                outs.add(ctx.contribution(step, slot));
                offsets.add(offset);
            }
            offset += step.input(slot).shape().c();
        }
        if (outs.isEmpty()) {
            return List.of();
        }
        return List.of(ctx.step(new ConcatBf(offsets), List.of(ctx.sensitivity(step.output())), outs, step));
    }

    @Override
    public String mnemonic() {
        return "concat";
    }

    @Override
    public String formula() {
        return "Y[t][offset + c] = input[t][c], inputs in order along channels";
    }
}
