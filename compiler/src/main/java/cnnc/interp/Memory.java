package cnnc.interp;

import cnnc.ir.Buffer;
import cnnc.ir.DType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The interpreter's buffers by name: {@code double[]} for every float buffer, {@code int[]} for path
 * tensors. A step reads its inputs with {@link #read} and gets fresh zeroed outputs from
 * {@link #write}, so no value of an earlier run can leak into a later one.
 */
final class Memory {

    private final Map<String, double[]> values = new LinkedHashMap<>();
    private final Map<String, int[]> paths = new LinkedHashMap<>();

    double[] read(Buffer b) {
        double[] v = values.get(b.name());
        if (v == null) {
            throw new IllegalStateException("buffer " + b.name() + " has no value yet");
        }
        return v;
    }

    int[] readPath(Buffer b) {
        int[] v = paths.get(b.name());
        if (v == null) {
            throw new IllegalStateException("path tensor " + b.name() + " has no value yet");
        }
        return v;
    }

    /** A new zeroed array for {@code b}, now its value. */
    double[] write(Buffer b) {
        if (b.dtype() != DType.F32) {
            throw new IllegalArgumentException(b.name() + " is not a float buffer");
        }
        double[] v = new double[(int) b.shape().size()];
        values.put(b.name(), v);
        return v;
    }

    int[] writePath(Buffer b) {
        if (b.dtype() != DType.I32) {
            throw new IllegalArgumentException(b.name() + " is not a path tensor");
        }
        int[] v = new int[(int) b.shape().size()];
        paths.put(b.name(), v);
        return v;
    }

    /** The value of {@code name}, or null. */
    double[] get(String name) {
        return values.get(name);
    }

    int[] getPath(String name) {
        return paths.get(name);
    }

    void put(String name, double[] value) {
        values.put(name, value);
    }
}
