package cnnc.runtime.testing;

import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A network of buffers only (passes do nothing): for tests of files, initializers, optimizers. */
public class BufferNetwork implements Network {

    private final String name;
    private final int batch;
    private final List<TensorSpec> specs = new ArrayList<>();
    private final Map<String, float[]> floats = new HashMap<>();
    private final Map<String, int[]> ints = new HashMap<>();

    public BufferNetwork(String name, int batch) {
        this.name = name;
        this.batch = batch;
    }

    /** Adds a buffer that starts at zero. */
    public BufferNetwork add(String tensor, TensorSpec.Role role, DType dtype, int... shape) {
        return add(tensor, role, dtype, TensorSpec.Init.ZERO, shape);
    }

    /** Adds a buffer with its initial value. */
    public BufferNetwork add(String tensor, TensorSpec.Role role, DType dtype, TensorSpec.Init init, int... shape) {
        TensorSpec s = new TensorSpec(tensor, role, dtype, shape, init);
        specs.add(s);
        if (dtype == DType.I32) {
            ints.put(tensor, new int[s.size()]);
        } else {
            floats.put(tensor, new float[s.size()]);
        }
        return this;
    }

    /** Adds a float parameter that starts at zero, and its gradient. */
    public BufferNetwork param(String tensor, int... shape) {
        return param(tensor, TensorSpec.Init.ZERO, shape);
    }

    /** Adds a float parameter with its initial value, and its gradient. */
    public BufferNetwork param(String tensor, TensorSpec.Init init, int... shape) {
        add(tensor, TensorSpec.Role.PARAMETER, DType.F32, init, shape);
        return add("grad." + tensor, TensorSpec.Role.GRADIENT, DType.F32, shape);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void forward() {
    }

    @Override
    public void infer() {
    }

    @Override
    public void backward() {
    }

    @Override
    public float loss() {
        return 0;
    }

    @Override
    public float[] tensor(String tensor) {
        float[] a = floats.get(tensor);
        if (a == null) {
            throw new IllegalArgumentException("no float tensor " + tensor);
        }
        return a;
    }

    @Override
    public int[] path(String tensor) {
        int[] a = ints.get(tensor);
        if (a == null) {
            throw new IllegalArgumentException("no path tensor " + tensor);
        }
        return a;
    }

    @Override
    public List<TensorSpec> tensors() {
        return specs;
    }

    @Override
    public String[] parameterNames() {
        List<String> out = new ArrayList<>();
        for (TensorSpec s : specs) {
            if (s.role() == TensorSpec.Role.PARAMETER) {
                out.add(s.name());
            }
        }
        return out.toArray(new String[0]);
    }

    @Override
    public String inputName() {
        return first(TensorSpec.Role.INPUT);
    }

    @Override
    public String targetName() {
        return first(TensorSpec.Role.TARGET);
    }

    @Override
    public String outputName() {
        return "y";
    }

    private String first(TensorSpec.Role role) {
        for (TensorSpec s : specs) {
            if (s.role() == role) {
                return s.name();
            }
        }
        throw new IllegalStateException("no " + role);
    }

    /** Fills every float buffer with distinct values (index + offset), to see what moved. */
    public BufferNetwork fillDistinct(float offset) {
        for (Map.Entry<String, float[]> e : floats.entrySet()) {
            float[] a = e.getValue();
            for (int i = 0; i < a.length; i++) {
                a[i] = offset + i + e.getKey().length() * 1000;
            }
        }
        return this;
    }

    /** Copies of every float buffer by name. */
    public Map<String, float[]> copyFloats() {
        Map<String, float[]> m = new HashMap<>();
        for (Map.Entry<String, float[]> e : floats.entrySet()) {
            m.put(e.getKey(), Arrays.copyOf(e.getValue(), e.getValue().length));
        }
        return m;
    }
}
