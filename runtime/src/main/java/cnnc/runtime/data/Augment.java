package cnnc.runtime.data;

import cnnc.runtime.Rng;

/**
 * Training-time augmentation, declared in a train block as
 * {@code augment { flip: horizontal; crop: 32, pad: 4; }}: a random crop of the image padded with
 * {@code pad} zero (black) pixels on every side, back to its own size (torchvision's
 * {@code RandomCrop(size, padding=pad)}), then a flip with probability ½ (horizontal, vertical, or
 * each independently with {@code both}). Applied to the raw pixels before normalization, so padding
 * is black whatever the mean.
 *
 * <p>The draw for an image depends only on the seed, the epoch and the image's index in the data
 * set ({@code Rng.stream(seed, "augment/<epoch>/<index>")}), never on which thread or batch slot fills
 * it: the same bits for every thread count, and a resumed run draws what the uninterrupted one did.
 * Evaluation never augments.
 *
 * @param flipHorizontal flip left-right with probability ½
 * @param flipVertical   flip top-bottom with probability ½
 * @param pad            zero pixels added on each side before the random crop (0: no crop)
 */
public record Augment(boolean flipHorizontal, boolean flipVertical, int pad) {

    /** No augmentation. */
    public static final Augment NONE = new Augment(false, false, 0);

    public Augment {
        if (pad < 0) {
            throw new IllegalArgumentException("crop padding must be non-negative, got " + pad);
        }
    }

    /** Whether it changes anything. */
    public boolean active() {
        return flipHorizontal || flipVertical || pad > 0;
    }

    /**
     * One image's draw: crop offsets {@code dy, dx} in {@code [0, 2·pad]} (drawn first, only with a
     * crop), then the flips. Output pixel {@code (y, x)} reads source pixel
     * {@code (fy + dy - pad, fx + dx - pad)} with {@code fy = flipV ? H-1-y : y},
     * {@code fx = flipH ? W-1-x : x}; outside the image it is 0.
     */
    public Draw draw(long seed, int epoch, int index) {
        Rng r = Rng.stream(seed, "augment/" + epoch + "/" + index);
        int dy = pad > 0 ? r.nextInt(2 * pad + 1) : pad;
        int dx = pad > 0 ? r.nextInt(2 * pad + 1) : pad;
        boolean h = flipHorizontal && r.nextInt(2) == 1;
        boolean v = flipVertical && r.nextInt(2) == 1;
        return new Draw(dy - pad, dx - pad, h, v);
    }

    /** The shift of the crop window ({@code dy - pad}, {@code dx - pad}) and the flips of one image. */
    public record Draw(int shiftY, int shiftX, boolean flipH, boolean flipV) {

        /** The identity. */
        public static final Draw NONE = new Draw(0, 0, false, false);

        /** Source index {@code y·W + x} within a channel for output {@code (y, x)}, or -1 for padding. */
        public int source(int y, int x, int height, int width) {
            int sy = (flipV ? height - 1 - y : y) + shiftY;
            int sx = (flipH ? width - 1 - x : x) + shiftX;
            return sy < 0 || sy >= height || sx < 0 || sx >= width ? -1 : sy * width + sx;
        }

        public boolean identity() {
            return shiftY == 0 && shiftX == 0 && !flipH && !flipV;
        }
    }

    @Override
    public String toString() {
        if (!active()) {
            return "none";
        }
        String flip = flipHorizontal && flipVertical ? "both" : flipHorizontal ? "horizontal" : flipVertical ? "vertical" : null;
        return (flip == null ? "" : "flip " + flip) + (pad > 0 ? (flip == null ? "" : ", ") + "random crop with padding " + pad : "");
    }
}
