package cnnc.runtime.optim;

import cnnc.runtime.Network;

/**
 * Adam (Kingma and Ba, 2015) as PyTorch formulates it (torch.optim.Adam, amsgrad off), with L2
 * weight decay added to the gradient. At step t (from 1), in float per element:
 * <pre>
 * g = grad + decay * w                         (skipped when decay is 0)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * w = w - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * {@code beta^t} is a running product in double ({@code t} multiplications by beta, redone by
 * {@link #setSteps}), exact IEEE arithmetic identical on every JVM and free of allocation
 * ({@code StrictMath.pow} allocates).
 */
public final class Adam extends AbstractOptimizer {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double decay;
    private final float b1;
    private final float b2;
    private final float oneMinusB1;
    private final float oneMinusB2;
    private final float epsF;
    private final float decayF;
    private double beta1Pow = 1;
    private double beta2Pow = 1;

    /** @throws IllegalArgumentException if a setting is out of range */
    public Adam(Network net, double lr, double beta1, double beta2, double eps, double decay) {
        super(net, "m", "v");
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("adam: lr must be positive, got " + lr);
        }
        this.b1 = check("adam", "beta1", beta1, 0, 1, false);
        this.b2 = check("adam", "beta2", beta2, 0, 1, false);
        this.decayF = check("adam", "decay", decay, 0, Double.MAX_VALUE, true);
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("adam: eps must be positive, got " + eps);
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decay = decay;
        this.oneMinusB1 = (float) (1 - beta1);
        this.oneMinusB2 = (float) (1 - beta2);
        this.epsF = (float) eps;
    }

    @Override
    public String kind() {
        return "adam";
    }

    @Override
    public String describe() {
        return "adam(lr: " + num(lr) + ", beta1: " + num(beta1) + ", beta2: " + num(beta2) + ", eps: " + eps
                + ", decay: " + num(decay) + ")";
    }

    @Override
    public void setSteps(long steps) {
        super.setSteps(steps);
        beta1Pow = 1;
        beta2Pow = 1;
        for (long t = 0; t < steps; t++) {
            beta1Pow *= beta1;
            beta2Pow *= beta2;
        }
    }

    @Override
    public void step() {
        steps++;
        beta1Pow *= beta1;
        beta2Pow *= beta2;
        float stepSize = (float) (lr * lrFactor / (1 - beta1Pow));
        float bc2Sqrt = (float) Math.sqrt(1 - beta2Pow);
        for (int p = 0; p < params.length; p++) {
            float[] w = params[p];
            float[] grad = grads[p];
            float[] m = state[0][p];
            float[] v = state[1][p];
            for (int i = 0; i < w.length; i++) {
                float g = grad[i];
                if (decayF != 0) {
                    g += decayF * w[i];
                }
                m[i] = b1 * m[i] + oneMinusB1 * g;
                v[i] = b2 * v[i] + oneMinusB2 * g * g;
                float denom = (float) Math.sqrt(v[i]) / bc2Sqrt + epsF;
                w[i] -= stepSize * m[i] / denom;
            }
        }
    }
}
