package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Init;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ir.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bn(x, per: element|channel, eps: 1e-5, momentum: 0.1)}: batch normalization in training mode.
 * {@code per: element} (the seeds' algorithm) keeps statistics over {@code t} for every {@code (c,i,j)};
 * {@code per: channel} over {@code (t,i,j)} for every {@code c}. {@code n} values per statistic.
 *
 * <p>Forward: {@code μ = mean(X)}, {@code σ² = mean((X-μ)²)}, {@code x̂ = (X-μ)/sqrt(σ²+ε)}, {@code Y = γ·x̂ + β};
 * running statistics {@code run = (1-momentum)·run + momentum·batch} (variance unbiased, {@code σ²·n/(n-1)}).
 * <br>Backward: {@code Δγ = Σ ΔY·x̂}, {@code Δβ = Σ ΔY},
 * {@code ΔX = γ/sqrt(σ²+ε) · (ΔY - mean(ΔY) - x̂·mean(ΔY·x̂))}.
 */
public record BatchNorm(Per per, double eps, double momentum) implements ForwardOp {

    /** What one statistic is over. */
    public enum Per implements Word {
        /** Every {@code (c,i,j)} over the batch (the seeds' algorithm). */
        ELEMENT("element"),
        /** Every channel over {@code (t,i,j)}. */
        CHANNEL("channel");

        private final String word;

        Per(String word) {
            this.word = word;
        }

        @Override
        public String word() {
            return word;
        }
    }

    public static final Signature SIGNATURE = Signature.of("bn", 1,
            Param.choice("per", Per.ELEMENT), Param.number("eps", 1e-5), Param.number("momentum", 0.1));

    public static BatchNorm define(Call c) {
        Per per = c.choice("per", Per.class);
        double eps = c.number("eps");
        double momentum = c.number("momentum");
        if (!(eps > 0)) {
            c.error(c.pos("eps"), "bn '" + c.node() + "': eps must be positive, found " + c.pos("eps").text(), "a small positive number like 1e-5");
            return null;
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            c.error(c.pos("momentum"), "bn '" + c.node() + "': momentum must lie in [0, 1], found " + c.pos("momentum").text(), "a number like 0.1");
            return null;
        }
        BatchNorm bn = new BatchNorm(per, eps, momentum);
        long n = bn.valuesPerStatistic(c.shape(0));
        if (c.training() && n < 2) {
            boolean perChannel = per == Per.CHANNEL;
            c.error(c.pos(), "bn '" + c.node() + "' per " + per.word() + " has " + n + " value per statistic at batch "
                    + c.batch() + ": the batch variance is undefined in training",
                    "a batch of at least 2 (train { batch N; } or --batch N)" + (perChannel ? "" : ", or per: channel"));
            return null;
        }
        return bn;
    }

    public boolean perChannel() {
        return per == Per.CHANNEL;
    }

    /**
     * The text the graph hash reads ({@link cnnc.ir.GraphHash}): what it was when {@code per} was a
     * boolean, so that weight files written before still load.
     */
    @Override
    public String toString() {
        return "BatchNorm[perChannel=" + perChannel() + ", eps=" + eps + ", momentum=" + momentum + "]";
    }

    /** {@code n}: T for per element, T·H·W for per channel. */
    public long valuesPerStatistic(Shape x) {
        return perChannel() ? (long) x.n() * x.h() * x.w() : x.n();
    }

    /** The shape of γ, β and every statistic: {@code C x H x W} per element, {@code C} per channel. */
    public Shape statShape(Shape x) {
        return perChannel() ? Shape.of(x.c()) : Shape.of(x.c(), x.h(), x.w());
    }

    @Override
    public Shape outShape(List<Shape> in) {
        return in.get(0);
    }

    @Override
    public List<Buffer> params(String node, List<Shape> in) {
        Shape s = statShape(in.get(0));
        return List.of(Buffer.owned(node, "gamma", Role.PARAMETER, s, Init.ONE), Buffer.owned(node, "beta", Role.PARAMETER, s, Init.ZERO),
                Buffer.owned(node, "running_mean", Role.STATE, s, Init.ZERO), Buffer.owned(node, "running_var", Role.STATE, s, Init.ONE));
    }

    @Override
    public List<Buffer> extras(String node, Shape out, List<Shape> in) {
        Shape s = statShape(in.get(0));
        return List.of(Buffer.owned(node, "batch_mean", Role.SAVED, s, Init.ZERO), Buffer.owned(node, "batch_invstd", Role.SAVED, s, Init.ZERO));
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        Buffer x = step.input(0);
        Buffer dy = ctx.sensitivity(step.output());
        Buffer mean = step.outputs().get(1);
        Buffer invstd = step.outputs().get(2);
        List<Step> out = new ArrayList<>();
        if (ctx.needs(x)) {
            out.add(ctx.step(new BnBf(this), List.of(dy, x, step.input(1), mean, invstd), List.of(ctx.contribution(step, 0)), step));
        }
        out.add(ctx.step(new BnGrad(this), List.of(dy, x, mean, invstd),
                List.of(ctx.gradient(step.input(1)), ctx.gradient(step.input(2))), step));
        return out;
    }

    @Override
    public String mnemonic() {
        return "bn";
    }

    @Override
    public String formula() {
        return "Y = γ·(X - μ)/sqrt(σ² + " + eps + ") + β, statistics per " + (perChannel() ? "channel over (t,i,j)" : "element over t");
    }

    @Override
    public String detail(Step step) {
        return "per " + per.word() + ", eps " + eps + ", momentum " + momentum;
    }
}
