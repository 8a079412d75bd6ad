package cnnc.ir;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The dimensions of a buffer. Tensors are 4-D {@code T x C x H x W} (row-major NCHW); parameters
 * have their own rank ({@code [K, C, M, N]} for conv weights, {@code [K, L]} for full, {@code [K]}
 * for biases); the loss is {@code [1]}.
 */
public record Shape(List<Integer> dims) {

    public Shape {
        dims = List.copyOf(dims);
        for (int d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("dimension " + d + " in " + dims);
            }
        }
    }

    public static Shape of(int... dims) {
        return new Shape(java.util.Arrays.stream(dims).boxed().toList());
    }

    public int rank() {
        return dims.size();
    }

    public int dim(int i) {
        return dims.get(i);
    }

    /** The batch, channels, height and width of a 4-D tensor. */
    public int n() { return dim4(0); }
    public int c() { return dim4(1); }
    public int h() { return dim4(2); }
    public int w() { return dim4(3); }

    private int dim4(int i) {
        if (rank() != 4) {
            throw new IllegalStateException("not a 4-D tensor: " + this);
        }
        return dims.get(i);
    }

    /** Elements per sample of a 4-D tensor: {@code C·H·W}. */
    public long perSample() {
        return (long) c() * h() * w();
    }

    public long size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    public int[] toArray() {
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code 64x6x28x28}. */
    @Override
    public String toString() {
        return dims.stream().map(String::valueOf).collect(Collectors.joining("x"));
    }
}
