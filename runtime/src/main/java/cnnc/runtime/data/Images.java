package cnnc.runtime.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Image files to a model's input: decoding with the JDK's ImageIO (PNG, JPEG, BMP, GIF — the first
 * frame —, WBMP and TIFF; no third-party codec), then the conversion to {@code C x H x W} unsigned
 * bytes in row-major order:
 * <ul>
 * <li>channels: a grayscale image (one band, not a palette) keeps its raw samples (16-bit ones
 * shifted to 8 bits); a colour image gives its sRGB values (alpha dropped). Colour to one channel
 * is the luma {@code (299 R + 587 G + 114 B + 500) / 1000} (ITU-R BT.601, as Pillow's
 * {@code convert("L")}); gray to three channels repeats the gray value.</li>
 * <li>size: bilinear interpolation with pixel centres at {@code i + ½} and edge pixels repeated
 * ({@code torch.nn.functional.interpolate(mode="bilinear", align_corners=False)} without
 * antialiasing), rounded to the nearest byte.</li>
 * </ul>
 * A conversion the caller forbids ({@link Policy}) fails with a message naming the file and both
 * shapes. Stateless and thread-safe.
 */
public final class Images {

    /** The file name extensions of an image folder (case-insensitive). */
    public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif");

    /**
     * The most pixels an image may have: Pillow's decompression-bomb limit
     * ({@code Image.MAX_IMAGE_PIXELS}, 1 GiB of 24-bit pixels / 4). A file of a few bytes can declare
     * 30000 x 30000 pixels, and the JDK's decoders allocate the whole raster before reading any data.
     */
    public static final long MAX_PIXELS = 89_478_485L;

    /** The resize filter, as stated in messages and metadata. */
    public static final String FILTER = "bilinear";

    /** Which conversions are allowed. */
    public record Policy(boolean resize, boolean convertChannels) {
        public static final Policy ALL = new Policy(true, true);
    }

    private Images() {}

    /** Whether the file name has one of {@link #EXTENSIONS}. */
    public static boolean hasImageExtension(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Decodes the first image of a file. A file no ImageIO reader recognizes, a decoder error, and a
     * decoder warning (a truncated JPEG decodes with a grey remainder and only a warning) all fail.
     *
     * @throws IOException "FILE: what is wrong"
     */
    public static BufferedImage read(Path file) throws IOException {
        return read(file, MAX_PIXELS);
    }

    /**
     * {@link #read(Path)} with another pixel limit (the fuzz target's is lower, so that a few bytes
     * declaring a legitimately large image cost it milliseconds, not seconds).
     */
    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException(file + ": cannot read the file (" + (Files.exists(file) ? "permission denied" : "no such file") + ")");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException(file + ": cannot open the file");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(file + ": not an image the JDK can decode (PNG, JPEG, BMP, GIF, WBMP, TIFF)");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((r, w) -> warnings.add(w));
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new IOException(file + ": the image declares " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels (width x height), more than the " + maxPixels + " cnnc decodes; damaged, or resize it first");
                }
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new IOException(file + ": damaged " + reader.getFormatName().toUpperCase(Locale.ROOT) + " image: "
                            + warnings.get(0));
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(file.toString()) ? e
                    : new IOException(file + ": cannot decode the image: " + describe(e), e);
        } catch (RuntimeException e) {
            // ImageIO's decoders throw unchecked exceptions on some malformed files
            throw new IOException(file + ": cannot decode the image: " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }

    /** Whether the image is grayscale: one colour band, not a palette. */
    public static boolean isGray(BufferedImage img) {
        return img.getColorModel().getNumColorComponents() == 1 && !(img.getColorModel() instanceof IndexColorModel);
    }

    /**
     * The image as {@code c x h x w} bytes, converted as allowed.
     *
     * @param what names the image in messages (its file)
     * @throws IOException if a needed conversion is not allowed
     */
    public static byte[] toBytes(BufferedImage img, int c, int h, int w, Policy policy, String what) throws IOException {
        int h0 = img.getHeight();
        int w0 = img.getWidth();
        boolean gray = isGray(img);
        int c0 = gray ? 1 : 3;
        byte[] chw = gray ? graySamples(img) : rgbPlanes(img);
        return convert(chw, c0, h0, w0, c, h, w, policy, what);
    }

    /** Converts {@code c0 x h0 x w0} bytes to {@code c x h x w}: channels first, then size. */
    public static byte[] convert(byte[] chw, int c0, int h0, int w0, int c, int h, int w, Policy policy, String what)
            throws IOException {
        if (c0 != c) {
            if (!policy.convertChannels()) {
                throw new IOException(what + ": a " + channelName(c0) + " image, but the model takes " + channelName(c)
                        + " (" + c + "x" + h + "x" + w + "); allow the conversion (drop --no-convert) or convert the images");
            }
            chw = channels(chw, c0, c, h0 * w0, what);
        }
        if (h0 != h || w0 != w) {
            if (!policy.resize()) {
                throw new IOException(what + ": the image is " + w0 + "x" + h0 + " (width x height), but the model takes " + w + "x"
                        + h + "; drop --no-resize to resize it (" + FILTER + ") or resize the images");
            }
            chw = resize(chw, c, h0, w0, h, w);
        }
        return chw;
    }

    private static String channelName(int c) {
        return c == 1 ? "grayscale (1-channel)" : c == 3 ? "colour (3-channel RGB)" : c + "-channel";
    }

    private static byte[] graySamples(BufferedImage img) {
        Raster r = img.getRaster();
        int bits = img.getColorModel().getComponentSize(0);
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] out = new byte[h * w];
        int shift = Math.max(0, bits - 8);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = r.getSample(x, y, 0) >>> shift;
                out[y * w + x] = (byte) (bits < 8 ? v * 255 / ((1 << bits) - 1) : v);
            }
        }
        return out;
    }

    private static byte[] rgbPlanes(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        int plane = h * w;
        byte[] out = new byte[3 * plane];
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) { // a row at a time: a whole-image int[] would double the memory of a large image
            img.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0, p = y * w; x < w; x++, p++) {
                out[p] = (byte) (argb[x] >>> 16);
                out[plane + p] = (byte) (argb[x] >>> 8);
                out[2 * plane + p] = (byte) argb[x];
            }
        }
        return out;
    }

    private static byte[] channels(byte[] chw, int c0, int c, int plane, String what) throws IOException {
        byte[] out = new byte[c * plane];
        if (c0 == 1 && c == 3) {
            for (int k = 0; k < 3; k++) {
                System.arraycopy(chw, 0, out, k * plane, plane);
            }
        } else if (c0 == 3 && c == 1) {
            for (int p = 0; p < plane; p++) {
                int r = chw[p] & 0xFF;
                int g = chw[plane + p] & 0xFF;
                int b = chw[2 * plane + p] & 0xFF;
                out[p] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
            }
        } else {
            throw new IOException(what + ": cannot convert a " + channelName(c0) + " image to " + channelName(c)
                    + " (images have 1 or 3 channels)");
        }
        return out;
    }

    /**
     * Bilinear resize of each channel: output pixel {@code (y, x)} samples the input at
     * {@code ((y + ½)·h0/h - ½, (x + ½)·w0/w - ½)}, clamped to the image, weighting the four
     * neighbours by distance; rounded half up.
     */
    public static byte[] resize(byte[] chw, int c, int h0, int w0, int h, int w) {
        byte[] out = new byte[c * h * w];
        int[] y0 = new int[h];
        int[] y1 = new int[h];
        double[] fy = new double[h];
        axis(h0, h, y0, y1, fy);
        int[] x0 = new int[w];
        int[] x1 = new int[w];
        double[] fx = new double[w];
        axis(w0, w, x0, x1, fx);
        for (int k = 0; k < c; k++) {
            int in = k * h0 * w0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double a = chw[in + y0[y] * w0 + x0[x]] & 0xFF;
                    double b = chw[in + y0[y] * w0 + x1[x]] & 0xFF;
                    double cc = chw[in + y1[y] * w0 + x0[x]] & 0xFF;
                    double d = chw[in + y1[y] * w0 + x1[x]] & 0xFF;
                    double top = a + (b - a) * fx[x];
                    double bottom = cc + (d - cc) * fx[x];
                    out[(k * h + y) * w + x] = (byte) Math.min(255, (int) Math.floor(top + (bottom - top) * fy[y] + 0.5));
                }
            }
        }
        return out;
    }

    private static void axis(int from, int to, int[] lo, int[] hi, double[] frac) {
        double scale = (double) from / to;
        for (int i = 0; i < to; i++) {
            double s = Math.max(0, (i + 0.5) * scale - 0.5);
            int l = Math.min((int) s, from - 1);
            lo[i] = l;
            hi[i] = Math.min(l + 1, from - 1);
            frac[i] = s - l;
        }
    }
}
