package cnnc.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Encoded images (what ImageIO reads) to a network's input rows: byte / 255, gray or RGB planes. */
final class Images {

    private Images() {
    }

    /**
     * Decodes {@code encoded} into {@code input[off ..]} as C planes of H x W ({@code shape} is the
     * input's [T, C, H, W]): C = 1 takes the gray level (the red channel of a gray image; the
     * luminance otherwise), C = 3 the red, green and blue planes.
     *
     * @throws IllegalArgumentException naming the row if it is no image or of another size
     */
    static void decode(byte[] encoded, int[] shape, float[] input, int off, Object id) {
        int c = shape[1];
        int h = shape[2];
        int w = shape[3];
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(encoded));
        } catch (IOException e) {
            throw new UncheckedIOException("row " + id + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException("row " + id + ": not an image ImageIO can read");
        }
        if (img.getWidth() != w || img.getHeight() != h) {
            throw new IllegalArgumentException("row " + id + ": image of " + img.getWidth() + "x" + img.getHeight()
                    + "; the model takes " + w + "x" + h);
        }
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("row " + id + ": the model takes " + c + " channels; images give 1 or 3");
        }
        boolean gray = img.getType() == BufferedImage.TYPE_BYTE_GRAY;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                int i = y * w + x;
                if (c == 1) {
                    int v = gray ? img.getRaster().getSample(x, y, 0) : (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                    input[off + i] = v / 255f;
                } else {
                    input[off + i] = r / 255f;
                    input[off + h * w + i] = g / 255f;
                    input[off + 2 * h * w + i] = b / 255f;
                }
            }
        }
    }
}
