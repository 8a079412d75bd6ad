package cnnc.interp;

import cnnc.ir.Buffer;
import cnnc.ir.Shape;

/**
 * The sizes of a 4-D tensor {@code T x C x H x W} and its row-major NCHW index (docs/language.md §1):
 * {@code index = ((t*C + c)*H + i)*W + j}.
 */
record Dims(int n, int c, int h, int w) {

    static Dims of(Buffer b) {
        Shape s = b.shape();
        return new Dims(s.n(), s.c(), s.h(), s.w());
    }

    int at(int t, int ch, int i, int j) {
        return ((t * c + ch) * h + i) * w + j;
    }

    /** Whether row {@code i}, column {@code j} lie in a map (reads outside are 0, docs/language.md §3). */
    boolean inside(int i, int j) {
        return i >= 0 && i < h && j >= 0 && j < w;
    }

    int size() {
        return n * c * h * w;
    }
}
