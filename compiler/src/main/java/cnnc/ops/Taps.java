package cnnc.ops;

/**
 * The index algebra of sliding windows, along one axis, in one place for every backend: which
 * outputs' taps fall inside the input (conv forward and its gradient), which windows spill past
 * the input's end (pooling with {@code ceil}), and which forward outputs a transposed tap meets
 * (conv_bf as a gather). Output {@code o} reads input position {@code o·stride - pad + tap}.
 */
public final class Taps {

    private Taps() {}

    /**
     * The outputs {@code [lo, hi)} whose tap {@code tap} reads inside an input of {@code in} cells,
     * and whether any output's tap falls before the input ({@code below}) or past it ({@code above})
     * and so needs a bounds check where the outputs are not enumerated.
     */
    public record Range(int lo, int hi, boolean below, boolean above) {}

    /** Tap {@code tap} of the outputs {@code 0 <= o < out} over an input of {@code in} cells. */
    public static Range outputs(int out, int in, int stride, int pad, int tap) {
        int lo = Math.max(0, Math.floorDiv(pad - tap + stride - 1, stride));
        int hi = Math.min(out, Math.floorDiv(in - 1 + pad - tap, stride) + 1);
        long first = (long) -pad + tap;
        long last = (long) (out - 1) * stride - pad + tap;
        return new Range(lo, Math.max(lo, hi), first < 0, last >= in);
    }

    /** Whether the last of {@code out} windows, its first {@code extent} cells, reaches past an input of {@code in} cells. */
    public static boolean spills(int out, int in, int stride, int extent) {
        return (long) (out - 1) * stride + extent > in;
    }

    /**
     * Tap {@code tap} of a transposed window (conv_bf as a gather): input cell {@code i} meets forward
     * output {@code (i + pad - tap) / stride} when that is whole and in range. Which tests some cell
     * {@code 0 <= i < in} needs: {@code e >= 0} ({@code below}), divisibility ({@code strided}),
     * {@code e < out·stride} ({@code above}).
     */
    public record Transposed(boolean below, boolean strided, boolean above) {}

    public static Transposed transposed(int in, int out, int stride, int pad, int tap) {
        long min = (long) pad - tap;
        long max = in - 1L + pad - tap;
        return new Transposed(min < 0, stride > 1, max >= (long) out * stride);
    }
}
