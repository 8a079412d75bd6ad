package cnnc.runtime.optim;

import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Binds an optimizer to a network's parameter and gradient buffers, and keeps its state. */
abstract class AbstractOptimizer implements Optimizer {

    protected final String[] names;
    protected final float[][] params;
    protected final float[][] grads;
    /** state[slot][parameter] */
    protected final float[][][] state;
    private final String[] slots;
    private final Map<String, Integer> index = new HashMap<>();
    protected long steps;
    /** The schedule's factor on {@code lr} for the next step. */
    protected double lrFactor = 1.0;

    AbstractOptimizer(Network net, String... slots) {
        // A parameter with no gradient does not reach the loss (a dead branch): nothing trains it,
        // as PyTorch's optimizers skip a parameter whose grad is None.
        Set<String> tensors = new HashSet<>();
        for (TensorSpec t : net.tensors()) {
            tensors.add(t.name());
        }
        this.names = Arrays.stream(net.parameterNames()).filter(n -> tensors.contains("grad." + n)).toArray(String[]::new);
        this.slots = slots;
        this.params = new float[names.length][];
        this.grads = new float[names.length][];
        this.state = new float[slots.length][names.length][];
        for (int p = 0; p < names.length; p++) {
            params[p] = net.tensor(names[p]);
            grads[p] = net.tensor("grad." + names[p]);
            if (grads[p].length != params[p].length) {
                throw new IllegalArgumentException(names[p] + ": gradient has " + grads[p].length
                        + " elements, the parameter " + params[p].length);
            }
            for (int s = 0; s < slots.length; s++) {
                state[s][p] = new float[params[p].length];
            }
            index.put(names[p], p);
        }
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void setSteps(long steps) {
        this.steps = steps;
    }

    @Override
    public void setLearningRateFactor(double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException(kind() + ": the learning-rate factor must be finite and not negative, got " + factor);
        }
        this.lrFactor = factor;
    }

    @Override
    public String[] parameterNames() {
        return names.clone();
    }

    @Override
    public String[] slots() {
        return slots.clone();
    }

    @Override
    public float[] state(String parameter, String slot) {
        Integer p = index.get(parameter);
        for (int s = 0; s < slots.length; s++) {
            if (slots[s].equals(slot) && p != null) {
                return state[s][p];
            }
        }
        throw new IllegalArgumentException(kind() + " has no state " + parameter + "." + slot);
    }

    static float check(String opt, String arg, double v, double lo, double hi, boolean hiIncluded) {
        if (!(v >= lo && (hiIncluded ? v <= hi : v < hi))) {
            throw new IllegalArgumentException(opt + ": " + arg + " must be in [" + lo + ", " + hi
                    + (hiIncluded ? "]" : ")") + ", got " + v);
        }
        return (float) v;
    }

    /** Formats a setting without a trailing ".0" ({@code 0.05}, {@code 0}). */
    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
