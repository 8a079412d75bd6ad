/*
 * Writes the first N training and M test images (and labels) of an MNIST-style data set as
 * gzipped IDX files with the standard names: how samples/data was made from Fashion-MNIST.
 *
 *   java tools/MakeDataSubset.java /usr/share/datasets/fashion-mnist samples/data 2000 500
 *
 * Needs only the JDK (11+, run as a single source file). Input files may be gzipped or not.
 * The gzip output carries no timestamp, so the same input always gives the same bytes.
 */

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

public class MakeDataSubset {

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: java tools/MakeDataSubset.java SRC_DIR DST_DIR TRAIN_COUNT TEST_COUNT");
            System.exit(2);
        }
        Path src = Paths.get(args[0]);
        Path dst = Paths.get(args[1]);
        int train = Integer.parseInt(args[2]);
        int test = Integer.parseInt(args[3]);
        Files.createDirectories(dst);
        for (String set : new String[] {"train", "t10k"}) {
            int n = set.equals("train") ? train : test;
            copyHead(src, dst, set + "-images-idx3-ubyte", n);
            copyHead(src, dst, set + "-labels-idx1-ubyte", n);
        }
    }

    /** Copies the header (with the first dimension set to n) and the first n records. */
    static void copyHead(Path src, Path dst, String base, int n) throws IOException {
        byte[] raw = read(src, base);
        int rank = raw[3] & 0xFF;
        long record = 1;
        for (int i = 1; i < rank; i++) {
            record *= dim(raw, i);
        }
        int have = dim(raw, 0);
        if (n > have) {
            throw new IOException(base + " has only " + have + " records");
        }
        int header = 4 + 4 * rank;
        byte[] out = new byte[(int) (header + n * record)];
        System.arraycopy(raw, 0, out, 0, out.length);
        out[4] = (byte) (n >>> 24);
        out[5] = (byte) (n >>> 16);
        out[6] = (byte) (n >>> 8);
        out[7] = (byte) n;
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dst.resolve(base + ".gz")))) {
            o.write(out);
        }
        System.out.println(dst.resolve(base + ".gz") + ": " + n + " of " + have);
    }

    static int dim(byte[] raw, int i) {
        int at = 4 + 4 * i;
        return ((raw[at] & 0xFF) << 24) | ((raw[at + 1] & 0xFF) << 16) | ((raw[at + 2] & 0xFF) << 8) | (raw[at + 3] & 0xFF);
    }

    static byte[] read(Path dir, String base) throws IOException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.exists(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                return b.toByteArray();
            }
        }
        return Files.readAllBytes(dir.resolve(base));
    }
}
