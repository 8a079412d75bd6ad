package cnnc.ir;

import cnnc.diag.Pos;

/**
 * The train block's {@code augment { flip: horizontal; crop: 32, pad: 4; }}: a flip with probability
 * ½ (horizontal, vertical or both, independently) and a random crop of {@code crop x crop} from the
 * image padded with {@code pad} zero pixels per side ({@code crop} is the input's size; 0: no crop).
 * Applied to training images only; drawn from the seed (docs/data.md). {@code cropPos} is where the
 * crop is written, for the check against the input size.
 */
public record Augmentation(boolean flipHorizontal, boolean flipVertical, int crop, int pad, Pos cropPos) {

    public static final Augmentation NONE = new Augmentation(false, false, 0, 0, Pos.NONE);

    public boolean active() {
        return flipHorizontal || flipVertical || pad > 0;
    }
}
