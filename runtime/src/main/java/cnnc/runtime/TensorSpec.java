package cnnc.runtime;

import java.util.Arrays;

/**
 * Describes one buffer of a {@link Network}: its name, what it is for, its shape, element type and
 * initial value. Immutable. Generated code builds these with
 * {@code new TensorSpec(name, role, dtype, shape)} (starting at zero) or
 * {@code new TensorSpec(name, role, dtype, shape, init)}.
 */
public final class TensorSpec {

    /** What a buffer is for; decides which files it goes to (weights, checkpoints, grad dumps). */
    public enum Role {
        /** The network input, shape [T, C, H, W]. */
        INPUT,
        /** The target of the loss (one-hot or soft labels), shape [T, C, H, W]. */
        TARGET,
        /** A forward tensor (a node), named after the node. */
        ACTIVATION,
        /** dJ/dX of a node, named {@code grad.<node>}. */
        SENSITIVITY,
        /** A trainable parameter ({@code <node>.weight}, {@code .bias}, {@code .gamma}, {@code .beta}). */
        PARAMETER,
        /** Non-trainable state saved with the weights: bn {@code running_mean}, {@code running_var}. */
        STATE,
        /** dJ/dW of a parameter, named {@code grad.<parameter>}. */
        GRADIENT,
        /** Max-pool winner positions, {@code path.<node>}, {@link DType#I32}. */
        PATH,
        /** The scalar loss, named {@code loss}, shape [] (a float[1] buffer). */
        LOSS,
        /** A dropout's mask of the last training pass, {@code mask.<node>}: 1 where kept, 0 where dropped. */
        MASK
    }

    /**
     * What a parameter or running statistic starts at, as the operation that declares it says;
     * {@link cnnc.runtime.init.Initializers} fills it so.
     */
    public enum Init {
        /** All zeros (biases, β, running mean; every buffer that is not initialized). */
        ZERO,
        /** All ones (bn's γ and running variance). */
        ONE,
        /** Normal with std {@code sqrt(2 / fan_in)} (He, Kaiming): weights. */
        HE,
        /** Normal with std {@code sqrt(2 / (fan_in + fan_out))} (Xavier, Glorot): weights. */
        XAVIER;

        /** The word in plans and messages: {@code zero}, {@code one}, {@code he}, {@code xavier}. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The constant of {@link #word()}. */
        public static Init of(String word) {
            for (Init i : values()) {
                if (i.word().equals(word)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("unknown initializer '" + word + "' (zero, one, he or xavier)");
        }
    }

    private final String name;
    private final Role role;
    private final DType dtype;
    private final int[] shape;
    private final Init init;

    /**
     * A buffer that starts at zero.
     *
     * @param shape dimensions, outermost first; an empty array is a scalar (one element)
     */
    public TensorSpec(String name, Role role, DType dtype, int[] shape) {
        this(name, role, dtype, shape, Init.ZERO);
    }

    /**
     * @param shape dimensions, outermost first; an empty array is a scalar (one element)
     * @param init  what {@link cnnc.runtime.init.Initializers} fills it with
     */
    public TensorSpec(String name, Role role, DType dtype, int[] shape, Init init) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if (role == null || dtype == null || init == null) {
            throw new IllegalArgumentException(name + ": role, dtype and init are required");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            }
        }
        this.name = name;
        this.role = role;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.init = init;
    }

    /** A float32 tensor starting at zero, the common case. */
    public static TensorSpec f32(String name, Role role, int[] shape) {
        return new TensorSpec(name, role, DType.F32, shape);
    }

    /** A float32 tensor with its initial value. */
    public static TensorSpec f32(String name, Role role, int[] shape, Init init) {
        return new TensorSpec(name, role, DType.F32, shape, init);
    }

    public String name() {
        return name;
    }

    public Role role() {
        return role;
    }

    public DType dtype() {
        return dtype;
    }

    /** What it starts at. */
    public Init init() {
        return init;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public int size() {
        return sizeOf(shape);
    }

    /** Product of dimensions, refusing results that do not fit a Java array. */
    public static int sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return (int) n;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TensorSpec)) {
            return false;
        }
        TensorSpec s = (TensorSpec) o;
        return name.equals(s.name) && role == s.role && dtype == s.dtype && Arrays.equals(shape, s.shape) && init == s.init;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    /** For example {@code c1.weight PARAMETER F32 [6, 1, 5, 5]}. */
    @Override
    public String toString() {
        return name + " " + role + " " + dtype + " " + Arrays.toString(shape);
    }
}
