package cnnc.onnx;

/**
 * What an ONNX value name stands for while a graph is translated: a cnnc tensor (possibly seen
 * flattened), a constant, a cropped view that only a convolution can read, a shape vector under
 * computation, or the output of a node that could not be translated (its consumers stay silent,
 * so each problem is reported once).
 */
sealed interface Value {

    /** Stands for the batch in a shape vector ({@code Shape} of a tensor). */
    long BATCH = Long.MIN_VALUE;

    /**
     * The cnnc tensor {@code name} of {@code c x h x w} per sample. {@code flat}: ONNX sees it as
     * {@code [N, c·h·w]} (after Flatten, Gemm, ...), which is the same memory in NCHW order.
     */
    record Tensor(String name, int c, int h, int w, boolean flat) implements Value {

        long features() {
            return (long) c * h * w;
        }

        boolean pixel() {
            return h == 1 && w == 1;
        }

        /** ONNX's shape of it with the batch as N: {@code [N,6,28,28]} or {@code [N,120]}. */
        String onnxShape() {
            return flat ? "[N," + features() + "]" : "[N," + c + "," + h + "," + w + "]";
        }

        long[] onnxDims() {
            return flat ? new long[] {BATCH, features()} : new long[] {BATCH, c, h, w};
        }

        Tensor as(boolean flatView) {
            return new Tensor(name, c, h, w, flatView);
        }
    }

    record Const(Constant k) implements Value {}

    /** {@code base} with rows and columns sliced off (a Slice: a negative convolution pad), or added (a Pad: negative counts). */
    record Crop(Tensor base, int top, int bottom, int left, int right) implements Value {}

    /** A 1-D int64 shape vector (or a scalar: {@code scalar}), entries possibly {@link #BATCH}. */
    record Sym(long[] dims, boolean scalar) implements Value {}

    record Failed() implements Value {}
}
