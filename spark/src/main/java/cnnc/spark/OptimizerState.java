package cnnc.spark;

import cnnc.runtime.optim.Optimizer;
import java.io.Serializable;

/** An optimizer's state (every parameter's slots, in order, and the step count), for local steps. */
final class OptimizerState implements Serializable {

    private static final long serialVersionUID = 1L;

    final long steps;
    final float[][] values;

    OptimizerState(long steps, float[][] values) {
        this.steps = steps;
        this.values = values;
    }

    static OptimizerState of(Optimizer opt) {
        String[] ps = opt.parameterNames();
        String[] slots = opt.slots();
        float[][] v = new float[ps.length * slots.length][];
        for (int i = 0; i < ps.length; i++) {
            for (int j = 0; j < slots.length; j++) {
                v[i * slots.length + j] = opt.state(ps[i], slots[j]).clone();
            }
        }
        return new OptimizerState(opt.steps(), v);
    }

    void into(Optimizer opt) {
        String[] ps = opt.parameterNames();
        String[] slots = opt.slots();
        for (int i = 0; i < ps.length; i++) {
            for (int j = 0; j < slots.length; j++) {
                float[] src = values[i * slots.length + j];
                System.arraycopy(src, 0, opt.state(ps[i], slots[j]), 0, src.length);
            }
        }
        opt.setSteps(steps);
    }
}
