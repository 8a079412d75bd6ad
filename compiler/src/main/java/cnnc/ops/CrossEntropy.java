package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.List;

/**
 * {@code loss cross_entropy(y, z)}: {@code y} a softmax output, {@code z} a target of the same shape.
 *
 * <p>Forward: {@code J = -(1/T) Σ_t Σ_{c,i,j} z·log(y)}, with {@code log y} computed from the softmax's
 * input {@code h} (the step's third input) as {@code h - max_c h - log Σ_c exp(h - max_c h)}, as
 * PyTorch's {@code cross_entropy} does through {@code log_softmax}: finite where a float {@code y}
 * underflows to 0 (a fuzzed program found {@code J = +Inf} when it was read from {@code y}).
 * <br>Backward: the start of the backward graph, fused with the softmax before it:
 * {@code ΔX_softmax-input = (y - z)/T}.
 */
public record CrossEntropy() implements ForwardOp {

    public static final Signature SIGNATURE = Signature.of("cross_entropy", 2);

    /** Checks that {@code y} comes from a softmax ({@code producer} names its op) and {@code z} is a target of its shape. */
    public static CrossEntropy define(Call c, String producerOfY) {
        Buffer y = c.tensors().get(0);
        Buffer z = c.tensors().get(1);
        boolean ok = true;
        if (!"softmax".equals(producerOfY)) {
            c.error(c.tensorPos(0), "loss cross_entropy needs a softmax output, but '" + y.name() + "' is "
                    + (producerOfY != null ? "defined by " + producerOfY : y.role() == Role.TARGET ? "a target" : "an input"),
                    "a tensor defined as 'y = softmax(...);' as the loss's first argument");
            ok = false;
        }
        if (z.role() != Role.TARGET) {
            c.error(c.tensorPos(1), "loss cross_entropy compares with a target, but '" + z.name() + "' is "
                    + (z.role() == Role.INPUT ? "an input" : "an activation"),
                    "a tensor declared with 'target NAME : " + y.shape().c() + ";' as the loss's second argument");
            ok = false;
        } else if (!z.shape().equals(y.shape())) {
            c.error(c.tensorPos(1), "loss cross_entropy: target '" + z.name() + "' has shape " + z.shape() + " but '" + y.name()
                    + "' has shape " + y.shape(), "a target of shape " + y.shape() + " (target " + z.name() + " : "
                    + y.shape().c() + (y.shape().h() * y.shape().w() > 1 ? "x" + y.shape().h() + "x" + y.shape().w() : "") + ";)");
            ok = false;
        }
        return ok ? new CrossEntropy() : null;
    }

    @Override
    public Shape outShape(List<Shape> in) {
        return Shape.of(1);
    }

    /** The logits (slot 2) are read for a finite {@code log y}; their sensitivity is the fused rule's. */
    @Override
    public boolean differentiates(int slot) {
        return slot != 2;
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        Step softmax = ctx.producer(step.input(0));
        ctx.fuse(softmax);
        if (!ctx.needs(softmax.input(0))) {
            return List.of();
        }
        return List.of(ctx.step(new SoftmaxCeBf(step.input(0).shape().n()), List.of(step.input(0), step.input(1)),
                List.of(ctx.contribution(softmax, 0)), step));
    }

    @Override
    public String mnemonic() {
        return "cross_entropy";
    }

    @Override
    public String formula() {
        return "J = -(1/T) Σ_t Σ_c,i,j z · log(y),  log(y) = h - max_c h - log Σ_c exp(h - max_c h)";
    }
}
