package cnnc.runtime.testing;

import cnnc.runtime.Rng;
import cnnc.runtime.data.Dataset;

/** Separable synthetic images: class c lights row c of an HxW image, plus uniform noise. */
public final class Synthetic {

    private Synthetic() {
    }

    /** {@code n} images of {@code classes} classes (classes <= height), labels cycling 0,1,2,... */
    public static Dataset rows(int n, int classes, int height, int width, long seed) {
        Rng rng = new Rng(seed);
        float[] px = new float[n * height * width];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    float noise = (float) (0.4 * rng.nextDouble());
                    px[(i * height + r) * width + c] = (r == labels[i] ? 0.6f : 0f) + noise;
                }
            }
        }
        return new Dataset("synthetic", px, labels, 1, height, width, classes);
    }
}
