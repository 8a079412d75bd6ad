package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.List;

/**
 * {@code dropout(x, p: 0.5)}: in training, zeroes each element with probability {@code p} and scales
 * the rest by {@code 1/(1-p)}, so the expected value is unchanged; in inference, the identity.
 *
 * <p>Forward (training): {@code M[e] = keep(seed, step, e) ? 1 : 0} ({@code cnnc.runtime.DropoutMask}:
 * a counter-based hash of the train block's seed, the node, the training step and the element's
 * index in the batch, so the mask is the same bits on every thread count and device);
 * {@code Y = X·M/(1-p)}, and {@code M} is kept as {@code mask.<node>}.
 * <br>Forward (inference): {@code Y = X}; the inference variant has no mask.
 * <br>Backward: {@code ΔX = ΔY·M/(1-p)} ({@link DropoutBf}).
 *
 * @param p the drop probability, in [0, 1)
 */
public record Dropout(double p) implements ForwardOp {

    public static final Signature SIGNATURE = Signature.of("dropout", 1, Param.number("p", 0.5));

    /** Checks a use and builds it, or reports why not and returns null. */
    public static Dropout define(Call c) {
        double p = c.number("p");
        if (!(p >= 0 && p < 1)) {
            c.error(c.pos("p"), "dropout '" + c.node() + "': p is the probability of dropping an element and must lie in [0, 1), found "
                    + c.pos("p").text(), "a number from 0 up to (not including) 1, like 0.5");
            return null;
        }
        return new Dropout(p);
    }

    /** {@code 1/(1-p)}, rounded to float: what a kept element is multiplied by. */
    public float scale() {
        return (float) (1 / (1 - p));
    }

    @Override
    public Shape outShape(List<Shape> in) {
        return in.get(0);
    }

    @Override
    public List<Buffer> extras(String node, Shape out, List<Shape> in) {
        return List.of(Buffer.mask(node, out));
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        if (!ctx.needs(step.input(0))) {
            return List.of();
        }
        return List.of(ctx.step(new DropoutBf(this), List.of(ctx.sensitivity(step.output()), step.outputs().get(1)),
                List.of(ctx.contribution(step, 0)), step));
    }

    @Override
    public String mnemonic() {
        return "dropout";
    }

    @Override
    public String formula() {
        return "Y = X · M / (1 - " + p + "), M = keep(seed, step, element) (training); Y = X (inference)";
    }

    @Override
    public String detail(Step step) {
        return "p " + p;
    }
}
