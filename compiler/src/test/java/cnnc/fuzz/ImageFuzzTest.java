package cnnc.fuzz;

import cnnc.runtime.data.Images;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Any bytes as an image file, down the path training and prediction take ({@link Images#read}, then
 * {@link Images#toBytes} to 1 and 3 channels, resized and not): {@code c x h x w} bytes, or an
 * IOException naming the file.
 */
@Timeout(30)
class ImageFuzzTest {

    /**
     * The pixel limit under fuzzing: 2^16 (256 x 256) instead of {@link Images#MAX_PIXELS}. A few
     * bytes of GIF can declare 79 M pixels under the real limit, and converting those four times took
     * 21 s of one input (docs/fuzzing.md); the decoders and conversions are the same code at any
     * size, and {@code ImagesTest} checks the real limit.
     */
    static final long MAX_PIXELS = 1 << 16;

    @FuzzTest(maxDuration = "2m")
    void read(byte[] data) throws Exception {
        Path file = Fuzz.file(data, ".png");
        Fuzz.rejectsCleanly(IOException.class, file.toString(), () -> {
            BufferedImage img = Images.read(file, MAX_PIXELS);
            int h = img.getHeight();
            int w = img.getWidth();
            for (int c : new int[] {1, 3}) {
                check(Images.toBytes(img, c, 5, 7, Images.Policy.ALL, file.toString()), c, 5, 7);
                check(Images.toBytes(img, c, h, w, Images.Policy.ALL, file.toString()), c, h, w);
            }
        });
    }

    private static void check(byte[] chw, int c, int h, int w) {
        if (chw.length != c * h * w) {
            throw new AssertionError(chw.length + " bytes for " + c + "x" + h + "x" + w);
        }
    }
}
