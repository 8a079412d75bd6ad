package cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(30)
class IdxTest {

    @TempDir
    Path dir;

    /** Two 2x3 images of unsigned bytes: header 00 00 08 03, dims 2, 2, 3 (big-endian), 12 data bytes. */
    static final byte[] IMAGES = bytes(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
            0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 128);

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    Path write(String name, byte[] b) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    @Test
    void readsAHandBuiltFile() throws IOException {
        Idx.Array a = Idx.read(write("img", IMAGES));
        assertArrayEquals(new int[] {2, 2, 3}, a.dims());
        assertEquals(12, a.data().length);
        assertEquals(255, a.data()[5] & 0xFF);
        assertEquals(128, a.data()[11] & 0xFF);
    }

    @Test
    void detectsGzipByMagicNotByName() throws IOException {
        Idx.Array a = Idx.read(write("img.idx", gzip(IMAGES)));
        assertArrayEquals(new int[] {2, 2, 3}, a.dims());
        assertEquals(204, a.data()[4] & 0xFF);
        // and a plain file named .gz is read as plain
        assertArrayEquals(new int[] {2, 2, 3}, Idx.read(write("plain.gz", IMAGES)).dims());
    }

    @Test
    void readsWhatItWrites() throws IOException {
        byte[] data = bytes(9, 0, 255, 7);
        Path p = dir.resolve("w.gz");
        Idx.write(p, new int[] {4}, data, true);
        byte[] raw = Files.readAllBytes(p);
        assertEquals(0x1f, raw[0] & 0xFF);
        assertEquals(0x8b, raw[1] & 0xFF);
        assertArrayEquals(data, Idx.read(p).data());
        Path q = dir.resolve("w");
        Idx.write(q, new int[] {2, 2}, data, false);
        assertArrayEquals(bytes(0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 9, 0, 255, 7), Files.readAllBytes(q));
    }

    @Test
    void refusesTruncatedAndOverlongData() throws IOException {
        byte[] shortFile = java.util.Arrays.copyOf(IMAGES, IMAGES.length - 1);
        IOException e = assertThrows(IOException.class, () -> Idx.read(write("short", shortFile)));
        assertEquals(dir.resolve("short") + ": IDX dimensions [2, 2, 3] need 12 data bytes, the file has 11 (truncated)",
                e.getMessage());
        byte[] longFile = java.util.Arrays.copyOf(IMAGES, IMAGES.length + 1);
        assertTrue(assertThrows(IOException.class, () -> Idx.read(write("long", longFile))).getMessage()
                .contains("the file has 13"));
    }

    @Test
    void refusesOtherFormats() throws IOException {
        assertTrue(assertThrows(IOException.class, () -> Idx.read(write("png", bytes(0x89, 'P', 'N', 'G'))))
                .getMessage().contains("not an IDX file"));
        assertTrue(assertThrows(IOException.class, () -> Idx.read(write("f32", bytes(0, 0, 0x0D, 1, 0, 0, 0, 0))))
                .getMessage().contains("element type 0xd is not supported"));
        assertTrue(assertThrows(IOException.class, () -> Idx.read(write("hdr", bytes(0, 0, 8, 2, 0, 0, 0, 1))))
                .getMessage().contains("header truncated"));
        byte[] badGzip = gzip(IMAGES);
        badGzip[badGzip.length - 5] ^= 0x55; // corrupt the CRC/length trailer
        assertTrue(assertThrows(IOException.class, () -> Idx.read(write("bad.gz", badGzip)))
                .getMessage().contains("corrupt gzip"));
        Path missing = dir.resolve("missing");
        assertEquals(missing + ": no such file", assertThrows(IOException.class, () -> Idx.read(missing)).getMessage());
    }
}
