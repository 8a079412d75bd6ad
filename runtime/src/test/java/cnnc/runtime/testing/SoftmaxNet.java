package cnnc.runtime.testing;

import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.TensorSpec.Role;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Softmax regression written by hand, the way a generated network would look: input x [T,1,H,W],
 * f = full(x, K) with f.weight [K, L], f.bias [K]; y = softmax(f); cross-entropy against z.
 * It also keeps f.running_mean, a running mean of the logits updated in training forward passes
 * only (like bn's state: it must survive a checkpoint for resume to be bit-identical).
 *
 * <p>Test hooks: {@link #poisonLossAt} makes the loss NaN from that forward call on (counting
 * from 1); {@link #poisonWeightAt} sets f.weight[0] to NaN in that backward call.
 */
public final class SoftmaxNet implements Network {

    private final int t;
    private final int k;
    private final int l;
    private final int h;
    private final int w;
    final float[] x;
    final float[] z;
    final float[] f;
    final float[] y;
    final float[] weight;
    final float[] bias;
    final float[] running;
    final float[] gradF;
    final float[] gradX;
    final float[] gradW;
    final float[] gradB;
    final float[] loss = new float[1];
    public int poisonLossAt = -1;
    public int poisonWeightAt = -1;
    private int forwards;
    private int backwards;

    public SoftmaxNet(int batch, int classes, int height, int width) {
        t = batch;
        k = classes;
        h = height;
        w = width;
        l = height * width;
        x = new float[t * l];
        z = new float[t * k];
        f = new float[t * k];
        y = new float[t * k];
        weight = new float[k * l];
        bias = new float[k];
        running = new float[k];
        gradF = new float[t * k];
        gradX = new float[t * l];
        gradW = new float[k * l];
        gradB = new float[k];
    }

    @Override
    public String name() {
        return "softmax_regression";
    }

    @Override
    public int batch() {
        return t;
    }

    @Override
    public void forward() {
        forwards++;
        infer();
        // running mean of the logits over the batch: run = 0.9 run + 0.1 mean_t(f)
        for (int c = 0; c < k; c++) {
            float m = 0;
            for (int s = 0; s < t; s++) {
                m += f[s * k + c];
            }
            running[c] = 0.9f * running[c] + 0.1f * (m / t);
        }
        if (poisonLossAt > 0 && forwards >= poisonLossAt) {
            loss[0] = Float.NaN;
        }
    }

    @Override
    public void infer() {
        double j = 0;
        for (int s = 0; s < t; s++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                float v = bias[c];
                for (int i = 0; i < l; i++) {
                    v += weight[c * l + i] * x[s * l + i];
                }
                f[s * k + c] = v;
                max = Math.max(max, v);
            }
            float sum = 0;
            for (int c = 0; c < k; c++) {
                y[s * k + c] = (float) Math.exp(f[s * k + c] - max);
                sum += y[s * k + c];
            }
            for (int c = 0; c < k; c++) {
                y[s * k + c] /= sum;
                if (z[s * k + c] != 0) {
                    j -= z[s * k + c] * Math.log(y[s * k + c]);
                }
            }
        }
        loss[0] = (float) (j / t);
    }

    @Override
    public void backward() {
        backwards++;
        // dJ/df = (y - z) / T; dW = sum_t df^T x; db = sum_t df; dx = W^T df
        for (int i = 0; i < t * k; i++) {
            gradF[i] = (y[i] - z[i]) / t;
        }
        java.util.Arrays.fill(gradW, 0f);
        java.util.Arrays.fill(gradB, 0f);
        java.util.Arrays.fill(gradX, 0f);
        for (int s = 0; s < t; s++) {
            for (int c = 0; c < k; c++) {
                float d = gradF[s * k + c];
                gradB[c] += d;
                for (int i = 0; i < l; i++) {
                    gradW[c * l + i] += d * x[s * l + i];
                    gradX[s * l + i] += weight[c * l + i] * d;
                }
            }
        }
        if (backwards == poisonWeightAt) {
            weight[0] = Float.NaN;
        }
    }

    @Override
    public float loss() {
        return loss[0];
    }

    @Override
    public float[] tensor(String name) {
        switch (name) {
            case "x": return x;
            case "z": return z;
            case "f": return f;
            case "y": return y;
            case "f.weight": return weight;
            case "f.bias": return bias;
            case "f.running_mean": return running;
            case "grad.f": return gradF;
            case "grad.x": return gradX;
            case "grad.f.weight": return gradW;
            case "grad.f.bias": return gradB;
            case "loss": return loss;
            default: throw new IllegalArgumentException("no tensor " + name);
        }
    }

    @Override
    public int[] path(String name) {
        throw new IllegalArgumentException("no path tensor " + name);
    }

    @Override
    public List<TensorSpec> tensors() {
        List<TensorSpec> s = new ArrayList<>();
        s.add(TensorSpec.f32("x", Role.INPUT, new int[] {t, 1, h, w}));
        s.add(TensorSpec.f32("z", Role.TARGET, new int[] {t, k, 1, 1}));
        s.add(TensorSpec.f32("f", Role.ACTIVATION, new int[] {t, k, 1, 1}));
        s.add(TensorSpec.f32("y", Role.ACTIVATION, new int[] {t, k, 1, 1}));
        s.add(TensorSpec.f32("f.weight", Role.PARAMETER, new int[] {k, l}, TensorSpec.Init.HE));
        s.add(TensorSpec.f32("f.bias", Role.PARAMETER, new int[] {k}));
        s.add(TensorSpec.f32("f.running_mean", Role.STATE, new int[] {k}));
        s.add(TensorSpec.f32("grad.f", Role.SENSITIVITY, new int[] {t, k, 1, 1}));
        s.add(TensorSpec.f32("grad.x", Role.SENSITIVITY, new int[] {t, 1, h, w}));
        s.add(TensorSpec.f32("grad.f.weight", Role.GRADIENT, new int[] {k, l}));
        s.add(TensorSpec.f32("grad.f.bias", Role.GRADIENT, new int[] {k}));
        s.add(new TensorSpec("loss", Role.LOSS, DType.F32, new int[0]));
        return Collections.unmodifiableList(s);
    }

    @Override
    public String[] parameterNames() {
        return new String[] {"f.weight", "f.bias"};
    }

    @Override
    public String inputName() {
        return "x";
    }

    @Override
    public String targetName() {
        return "z";
    }

    @Override
    public String outputName() {
        return "y";
    }
}
