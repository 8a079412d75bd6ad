package cnnc.runtime.optim;

import cnnc.runtime.Network;

/**
 * Stochastic gradient descent as PyTorch formulates it (torch.optim.SGD, dampening 0), in float:
 * <pre>
 * g = grad + decay * w                       (L2 weight decay; skipped when decay is 0)
 * v = momentum * v + g                       (when momentum is not 0; v starts at 0)
 * w = w - lr * (nesterov ? g + momentum * v : v)      (w - lr * g without momentum)
 * </pre>
 */
public final class Sgd extends AbstractOptimizer {

    private final double lrD;
    private final double momentumD;
    private final double decayD;
    private final float momentum;
    private final float decay;
    private final boolean nesterov;

    /**
     * @throws IllegalArgumentException if lr is not positive, momentum not in [0, 1), decay
     *         negative, or nesterov without momentum
     */
    public Sgd(Network net, double lr, double momentum, double decay, boolean nesterov) {
        super(net, momentum != 0 ? new String[] {"v"} : new String[0]);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("sgd: lr must be positive, got " + lr);
        }
        this.momentum = check("sgd", "momentum", momentum, 0, 1, false);
        this.decay = check("sgd", "decay", decay, 0, Double.MAX_VALUE, true);
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("sgd: nesterov needs a momentum above 0");
        }
        this.lrD = lr;
        this.momentumD = momentum;
        this.decayD = decay;
        this.nesterov = nesterov;
    }

    @Override
    public String kind() {
        return "sgd";
    }

    @Override
    public String describe() {
        return "sgd(lr: " + num(lrD) + ", momentum: " + num(momentumD) + ", decay: " + num(decayD)
                + ", nesterov: " + nesterov + ")";
    }

    @Override
    public void step() {
        float lr = (float) (lrD * lrFactor); // factor 1: exactly (float) lr
        for (int p = 0; p < params.length; p++) {
            float[] w = params[p];
            float[] grad = grads[p];
            float[] v = momentum != 0 ? state[0][p] : null;
            for (int i = 0; i < w.length; i++) {
                float g = grad[i];
                if (decay != 0) {
                    g += decay * w[i];
                }
                if (v != null) {
                    v[i] = momentum * v[i] + g;
                    g = nesterov ? g + momentum * v[i] : v[i];
                }
                w[i] -= lr * g;
            }
        }
        steps++;
    }
}
