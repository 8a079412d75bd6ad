package cnnc.runtime.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * IDX files, the MNIST format (http://yann.lecun.com/exdb/mnist/): bytes 0 and 1 are zero, byte 2
 * the element type (0x08 = unsigned byte, the only one supported here), byte 3 the number of
 * dimensions, then each dimension as a big-endian int32, then the data in row-major order.
 * A file may be gzipped; that is detected by the gzip magic 0x1f 0x8b, not by the name.
 */
public final class Idx {

    /** Element type code of unsigned bytes. */
    public static final int UBYTE = 0x08;

    /** Dimensions and unsigned-byte data of one IDX file. */
    public static final class Array {
        private final int[] dims;
        private final byte[] data;

        Array(int[] dims, byte[] data) {
            this.dims = dims;
            this.data = data;
        }

        /** A copy of the dimensions, outermost first. */
        public int[] dims() {
            return dims.clone();
        }

        /** The raw bytes (unsigned: use {@code b & 0xFF}). */
        public byte[] data() {
            return data;
        }
    }

    private Idx() {
    }

    /**
     * Reads an IDX file of unsigned bytes, gzipped or not.
     *
     * @throws IOException with the file name if it is missing, not IDX, of another element type,
     *         truncated, or longer than its dimensions say
     */
    public static Array read(Path file) throws IOException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        }
        if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1f && (raw[1] & 0xFF) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                raw = in.readAllBytes();
            } catch (IOException e) {
                throw new IOException(file + ": corrupt gzip data: " + e.getMessage(), e);
            }
        }
        return parse(file, raw);
    }

    private static Array parse(Path file, byte[] raw) throws IOException {
        if (raw.length < 4 || raw[0] != 0 || raw[1] != 0) {
            throw new IOException(file + ": not an IDX file (it must start with two zero bytes)");
        }
        int type = raw[2] & 0xFF;
        if (type != UBYTE) {
            throw new IOException(file + ": IDX element type 0x" + Integer.toHexString(type)
                    + " is not supported (only unsigned bytes, 0x08)");
        }
        int rank = raw[3] & 0xFF;
        if (rank == 0 || raw.length < 4 + 4 * rank) {
            throw new IOException(file + ": IDX header truncated or without dimensions");
        }
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            int at = 4 + 4 * i;
            dims[i] = ((raw[at] & 0xFF) << 24) | ((raw[at + 1] & 0xFF) << 16) | ((raw[at + 2] & 0xFF) << 8)
                    | (raw[at + 3] & 0xFF);
            if (dims[i] < 0) {
                throw new IOException(file + ": IDX dimension " + i + " is negative");
            }
            count *= dims[i];
        }
        long have = raw.length - 4L - 4L * rank;
        if (have != count) {
            throw new IOException(file + ": IDX dimensions " + Arrays.toString(dims) + " need " + count
                    + " data bytes, the file has " + have + (have < count ? " (truncated)" : ""));
        }
        return new Array(dims, Arrays.copyOfRange(raw, 4 + 4 * rank, raw.length));
    }

    /** Writes unsigned bytes as IDX, gzipped if {@code gzip}; the gzip stream has no timestamp. */
    public static void write(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {0, 0, UBYTE, (byte) dims.length});
        for (int d : dims) {
            b.write(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
        }
        b.write(data);
        try (OutputStream out = Files.newOutputStream(file)) {
            if (gzip) {
                try (GZIPOutputStream z = new GZIPOutputStream(out)) {
                    b.writeTo(z);
                }
            } else {
                b.writeTo(out);
            }
        }
    }
}
