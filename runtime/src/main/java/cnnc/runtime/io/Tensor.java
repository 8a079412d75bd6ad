package cnnc.runtime.io;

import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec;
import java.util.Arrays;

/**
 * A tensor as stored in a file: dtype, shape and a flat row-major array ({@code float[]} for F32,
 * {@code int[]} for I32, {@code double[]} for F64). Wraps the array without copying, so a network's
 * live buffers can be written without an extra copy.
 */
public final class Tensor {

    private final DType dtype;
    private final int[] shape;
    private final Object data;

    private Tensor(DType dtype, int[] shape, Object data, int length) {
        int size = TensorSpec.sizeOf(shape);
        if (length != size) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size
                    + " elements, the array has " + length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
    }

    /** Wraps a float array; {@code data.length} must equal the product of {@code shape}. */
    public static Tensor f32(int[] shape, float[] data) {
        return new Tensor(DType.F32, shape, data, data.length);
    }

    /** Wraps an int array; {@code data.length} must equal the product of {@code shape}. */
    public static Tensor i32(int[] shape, int[] data) {
        return new Tensor(DType.I32, shape, data, data.length);
    }

    /** Wraps a double array; {@code data.length} must equal the product of {@code shape}. */
    public static Tensor f64(int[] shape, double[] data) {
        return new Tensor(DType.F64, shape, data, data.length);
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public int size() {
        return TensorSpec.sizeOf(shape);
    }

    /** The wrapped array of an F32 tensor. */
    public float[] floats() {
        return (float[]) expect(DType.F32);
    }

    /** The wrapped array of an I32 tensor. */
    public int[] ints() {
        return (int[]) expect(DType.I32);
    }

    /** The wrapped array of an F64 tensor. */
    public double[] doubles() {
        return (double[]) expect(DType.F64);
    }

    /** The wrapped array, whatever its type. */
    Object array() {
        return data;
    }

    private Object expect(DType d) {
        if (dtype != d) {
            throw new IllegalStateException("tensor is " + dtype + ", not " + d);
        }
        return data;
    }

    /** Formats a shape as {@code [6, 1, 5, 5]}, as error messages show it. */
    public static String shapeString(int[] shape) {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return dtype + " " + Arrays.toString(shape);
    }
}
