package cnnc.ops;

import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.List;

/**
 * {@code softmax(x)}: normalizes over channels at every {@code (t, i, j)}.
 *
 * <p>Forward: {@code Y = exp(X - max_c X) / Σ_c exp(X - max_c X)}.
 * <br>Backward: followed by {@code loss cross_entropy} the loss folds it in ({@link SoftmaxCeBf});
 * otherwise {@code ΔX = Y·(ΔY - Σ_c ΔY·Y)} ({@link SoftmaxBf}).
 */
public record Softmax() implements ForwardOp {

    public static final Signature SIGNATURE = Signature.of("softmax", 1);

    @Override
    public Shape outShape(List<Shape> in) {
        return in.get(0);
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        if (!ctx.needs(step.input(0))) {
            return List.of();
        }
        return List.of(ctx.step(new SoftmaxBf(), List.of(ctx.sensitivity(step.output()), step.output()),
                List.of(ctx.contribution(step, 0)), step));
    }

    @Override
    public String mnemonic() {
        return "softmax";
    }

    @Override
    public String formula() {
        return "Y = exp(X - max_c X) / Σ_c exp(X - max_c X)";
    }
}
