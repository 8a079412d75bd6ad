package cnnc.backend.opencl;

import cnnc.interp.Candidate;
import cnnc.runtime.opencl.OpenClNetwork;
import java.util.Map;

/**
 * An {@link OpenClNetwork} as a {@link Candidate} of {@link cnnc.interp.GradCheck}: values go in as
 * float32 through the lent arrays and come back as float64. Buffers the network does not expose
 * (bn's saved statistics, partial sensitivities) cannot be read.
 */
public final class OpenClCandidate implements Candidate {

    private final OpenClNetwork net;

    public OpenClCandidate(OpenClNetwork net) {
        this.net = net;
    }

    @Override
    public void load(Map<String, double[]> values) {
        values.forEach((name, v) -> {
            float[] a = net.tensor(name);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) v[i];
            }
        });
    }

    @Override
    public void forwardBackward() {
        net.forward();
        net.backward();
    }

    @Override
    public double[] read(String name) {
        float[] a = net.tensor(name);
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
