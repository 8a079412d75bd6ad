package cnnc.runtime;

import java.util.Arrays;

/**
 * Describes one buffer of a {@link Network}: its name, what it is for, its shape and element type.
 * Immutable. Generated code builds these with {@code new TensorSpec(name, role, dtype, shape)}.
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
        LOSS
    }

    private final String name;
    private final Role role;
    private final DType dtype;
    private final int[] shape;

    /**
     * @param shape dimensions, outermost first; an empty array is a scalar (one element)
     */
    public TensorSpec(String name, Role role, DType dtype, int[] shape) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if (role == null || dtype == null) {
            throw new IllegalArgumentException(name + ": role and dtype are required");
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
    }

    /** A float32 tensor, the common case. */
    public static TensorSpec f32(String name, Role role, int[] shape) {
        return new TensorSpec(name, role, DType.F32, shape);
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
        return name.equals(s.name) && role == s.role && dtype == s.dtype && Arrays.equals(shape, s.shape);
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
