package cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Flips and padded crops, pixel by pixel against an explicitly padded, cropped and mirrored copy. */
@org.junit.jupiter.api.Timeout(60)
class AugmentTest {

    static final int C = 2;
    static final int H = 5;
    static final int W = 4;

    /** A 2x5x4 image whose every byte is distinct: 1 + index. */
    static Dataset image() {
        byte[] b = new byte[C * H * W];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (1 + i);
        }
        return Dataset.ofBytes("one", ByteBuffer.wrap(b), new int[] {0}, C, H, W, 1);
    }

    /** The reference: pad with zeros, take the window at (dy, dx), then mirror the window as drawn. */
    static float[] expected(Augment.Draw d, int pad) {
        int ph = H + 2 * pad;
        int pw = W + 2 * pad;
        float[] out = new float[C * H * W];
        for (int c = 0; c < C; c++) {
            float[][] padded = new float[ph][pw];
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    padded[y + pad][x + pad] = (1 + (c * H + y) * W + x) / 255f;
                }
            }
            int dy = d.shiftY() + pad;
            int dx = d.shiftX() + pad;
            float[][] window = new float[H][W];
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    window[y][x] = padded[dy + y][dx + x];
                }
            }
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sy = d.flipV() ? H - 1 - y : y;
                    int sx = d.flipH() ? W - 1 - x : x;
                    out[(c * H + y) * W + x] = window[sy][sx];
                }
            }
        }
        return out;
    }

    @Test
    void everyDrawMatchesTheExplicitPadCropAndFlip() {
        Augment a = new Augment(true, true, 2);
        Dataset d = image();
        float[] in = new float[C * H * W];
        Set<String> seen = new HashSet<>();
        for (int epoch = 0; epoch < 200; epoch++) {
            d.fill(new int[] {0}, 0, 1, in, null, a, 7, epoch);
            Augment.Draw draw = a.draw(7, epoch, 0);
            float[] want = expected(draw, 2);
            for (int p = 0; p < in.length; p++) {
                assertEquals(want[p], in[p], "epoch " + epoch + " " + draw + " pixel " + p);
            }
            seen.add(draw.toString());
        }
        // 5 x 5 offsets x 4 flips = 100 draws; 200 epochs meet most of them, among them shifted and flipped ones
        assertTrue(seen.size() > 50, "draws seen: " + seen.size());
    }

    @Test
    void aHorizontalFlipMirrorsEachRowAndNoAugmentationCopies() {
        Dataset d = image();
        float[] in = new float[C * H * W];
        Augment flip = new Augment(true, false, 0);
        int epoch = 0;
        while (!flip.draw(3, epoch, 0).flipH()) {
            epoch++;
        }
        d.fill(new int[] {0}, 0, 1, in, null, flip, 3, epoch);
        assertEquals(4 / 255f, in[0]);        // row 0 of channel 0 is 1 2 3 4, mirrored 4 3 2 1
        assertEquals(1 / 255f, in[3]);
        assertEquals(24 / 255f, in[20]);       // channel 1 row 0: 21 22 23 24
        d.fill(new int[] {0}, 0, 1, in, null);
        for (int p = 0; p < in.length; p++) {
            assertEquals((1 + p) / 255f, in[p]);
        }
    }

    @Test
    void normalizationFollowsAugmentationSoPaddingIsBlack() {
        Dataset d = image().normalized(new float[] {0.5f, 0.25f}, new float[] {2f, 4f});
        Augment crop = new Augment(false, false, 1);
        int epoch = 0;
        while (crop.draw(1, epoch, 0).shiftY() != -1) {
            epoch++;
        }
        float[] in = new float[C * H * W];
        d.fill(new int[] {0}, 0, 1, in, null, crop, 1, epoch);
        assertEquals((0f - 0.5f) / 2f, in[0]);     // the padded top row of channel 0: black, normalized
        assertEquals((0f - 0.25f) / 4f, in[H * W]);
    }

    /** A part of a data set, its rows keyed by their indices in the whole, augments as the whole does. */
    @Test
    void drawIdsAugmentAPartAsTheWholeSet() {
        int n = 12;
        byte[] b = new byte[n * C * H * W];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        int[] labels = new int[n];
        Dataset whole = Dataset.ofBytes("whole", ByteBuffer.wrap(b), labels, C, H, W, 1);
        int[] ids = {9, 2, 5, 11};
        byte[] pb = new byte[ids.length * C * H * W];
        for (int r = 0; r < ids.length; r++) {
            System.arraycopy(b, ids[r] * C * H * W, pb, r * C * H * W, C * H * W);
        }
        Dataset part = Dataset.ofBytes("part", ByteBuffer.wrap(pb), new int[ids.length], C, H, W, 1);
        Augment a = new Augment(true, true, 2);
        float[] want = new float[ids.length * C * H * W];
        float[] got = new float[want.length];
        float[] local = new float[want.length];
        whole.fill(ids, 0, ids.length, want, null, a, 5, 3);
        part.fill(new int[] {0, 1, 2, 3}, 0, ids.length, got, null, a, 5, 3, ids);
        part.fill(new int[] {0, 1, 2, 3}, 0, ids.length, local, null, a, 5, 3);
        assertTrue(java.util.Arrays.equals(want, got), "keyed by the whole set's indices");
        assertTrue(!java.util.Arrays.equals(want, local), "keyed by the part's own indices the draws differ");
    }
}
