package cnnc.spark;

import cnnc.runtime.Network;
import java.io.Serializable;
import java.util.List;

/**
 * What the driver broadcasts every step: the persistent tensors (parameters, then bn running
 * statistics) in the network's order, tagged with a version (the global step), so a result made
 * from older weights would be recognized.
 */
public final class Weights implements Serializable {

    private static final long serialVersionUID = 1L;

    final long version;
    final String[] names;
    final float[][] values;

    Weights(long version, String[] names, float[][] values) {
        this.version = version;
        this.names = names;
        this.values = values;
    }

    /** A copy of {@code names}' buffers of {@code net}. */
    static Weights of(long version, Network net, List<String> names) {
        float[][] v = new float[names.size()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = net.tensor(names.get(i)).clone();
        }
        return new Weights(version, names.toArray(new String[0]), v);
    }

    /** Copies the values into {@code net}'s buffers. */
    void into(Network net) {
        for (int i = 0; i < names.length; i++) {
            System.arraycopy(values[i], 0, net.tensor(names[i]), 0, values[i].length);
        }
    }

    /** Bytes of the values (what a broadcast ships, before compression). */
    long bytes() {
        long n = 0;
        for (float[] a : values) {
            n += 4L * a.length;
        }
        return n;
    }
}
