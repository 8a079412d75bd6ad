package cnnc.cli;

import cnnc.runtime.Rng;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Idx;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import javax.imageio.ImageIO;

/** Image data sets the tests write: Fashion-MNIST as PNG folders, coloured shapes. */
final class ImageSets {

    private ImageSets() {}

    /** The rows of {@code d} ordered as an image folder lists them: by class, then by index (file names are %05d). */
    static int[] classMajor(Dataset d) {
        Integer[] idx = new Integer[d.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.<Integer>comparingInt(d::label).thenComparingInt(i -> i));
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    /** The raw bytes of image {@code i} (pixels were byte / 255). */
    static byte[] bytes(Dataset d, int i) {
        byte[] b = new byte[d.pixels()];
        for (int p = 0; p < b.length; p++) {
            b[p] = (byte) Math.round(d.pixel(i, p) * 255f);
        }
        return b;
    }

    /** Writes a grayscale data set as {@code dir/split/<label>/<index>.png} (8-bit gray PNGs). */
    static void writeGrayPngs(Dataset d, Path dir, String split) throws IOException {
        for (int i = 0; i < d.size(); i++) {
            BufferedImage img = new BufferedImage(d.width(), d.height(), BufferedImage.TYPE_BYTE_GRAY);
            byte[] b = bytes(d, i);
            img.getRaster().setDataElements(0, 0, d.width(), d.height(), b);
            Path f = dir.resolve(split).resolve(Integer.toString(d.label(i))).resolve(String.format("%05d.png", i));
            Files.createDirectories(f.getParent());
            ImageIO.write(img, "png", f.toFile());
        }
    }

    /** Writes the rows {@code order} of a data set as IDX files (gzipped), images and labels. */
    static void writeIdx(Dataset d, int[] order, Path images, Path labels) throws IOException {
        byte[] px = new byte[order.length * d.pixels()];
        byte[] lab = new byte[order.length];
        for (int r = 0; r < order.length; r++) {
            System.arraycopy(bytes(d, order[r]), 0, px, r * d.pixels(), d.pixels());
            lab[r] = (byte) d.label(order[r]);
        }
        Idx.write(images, new int[] {order.length, d.height(), d.width()}, px, true);
        Idx.write(labels, new int[] {order.length}, lab, true);
    }

    static final String[] SHAPES = {"circle", "cross", "square"};

    /**
     * Coloured shapes on a dark background, {@code side x side} RGB: class 0 a filled circle, 1 a
     * cross, 2 a hollow square; colour, size and place drawn from the seed. Written as PNG, with every
     * fifth image a BMP (lossless too) so more than one decoder runs.
     */
    static void writeShapes(Path dir, String split, int perClass, int side, long seed) throws IOException {
        Rng r = Rng.stream(seed, "shapes/" + split);
        for (int k = 0; k < SHAPES.length; k++) {
            Path classDir = dir.resolve(split).resolve(SHAPES[k]);
            Files.createDirectories(classDir);
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(r.nextInt(40), r.nextInt(40), r.nextInt(40)));
                g.fillRect(0, 0, side, side);
                g.setColor(new Color(100 + r.nextInt(156), 100 + r.nextInt(156), 100 + r.nextInt(156)));
                int s = side / 2 + r.nextInt(side / 4);
                int x = r.nextInt(side - s + 1);
                int y = r.nextInt(side - s + 1);
                switch (k) {
                    case 0 -> g.fillOval(x, y, s, s);
                    case 1 -> {
                        g.fillRect(x + s / 2 - 1, y, 3, s);
                        g.fillRect(x, y + s / 2 - 1, s, 3);
                    }
                    default -> {
                        g.fillRect(x, y, s, 2);
                        g.fillRect(x, y + s - 2, s, 2);
                        g.fillRect(x, y, 2, s);
                        g.fillRect(x + s - 2, y, 2, s);
                    }
                }
                g.dispose();
                String ext = i % 5 == 4 ? "bmp" : "png";
                ImageIO.write(img, ext, classDir.resolve(String.format("%04d.%s", i, ext)).toFile());
            }
        }
    }
}
