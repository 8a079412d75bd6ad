package cnnc.interp;

import cnnc.runtime.Network;
import java.util.Map;

/**
 * A compiled network (float32) as a {@link Candidate} for {@link cnnc.interp.GradCheck}: values go in
 * rounded to float, one training-mode forward and the backward pass run, and buffers come back widened
 * to double. Feed it values that are already floats ({@link #roundToFloat}) so that it and the
 * float64 reference compute at the same point.
 */
public final class NetworkCandidate implements Candidate {

    private final Network net;

    public NetworkCandidate(Network net) {
        this.net = net;
    }

    @Override
    public void load(Map<String, double[]> values) {
        values.forEach((name, v) -> {
            float[] buf = net.tensor(name);
            if (buf.length != v.length) {
                throw new IllegalArgumentException(name + ": " + v.length + " values for a buffer of " + buf.length);
            }
            for (int i = 0; i < v.length; i++) {
                buf[i] = (float) v[i];
            }
        });
    }

    @Override
    public void forwardBackward() {
        net.setStep(0); // dropout's masks of step 0, the interpreter's: one mask for the whole check
        net.forward();
        net.backward();
    }

    @Override
    public double[] read(String name) {
        float[] buf = net.tensor(name);
        double[] v = new double[buf.length];
        for (int i = 0; i < buf.length; i++) {
            v[i] = buf[i];
        }
        return v;
    }

    /** Every value rounded to the nearest float, in place; returns {@code values}. */
    public static Map<String, double[]> roundToFloat(Map<String, double[]> values) {
        for (double[] v : values.values()) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) v[i];
            }
        }
        return values;
    }
}
