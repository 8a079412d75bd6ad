package cnnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.Rng;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR binaries synthesized in the real layout read back exactly, unpacked and as a gzipped tar. */
@org.junit.jupiter.api.Timeout(60)
class CifarTest {

    @TempDir
    Path dir;

    /** {@code n} records of {@code labelBytes} labels and 3072 seeded pixels. */
    private static byte[] batch(int n, int labelBytes, int classes, long seed) {
        Rng r = new Rng(seed);
        byte[] b = new byte[n * (labelBytes + 3072)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < labelBytes; k++) {
                b[i * (labelBytes + 3072) + k] = (byte) r.nextInt(k == labelBytes - 1 ? classes : 20);
            }
        }
        return b;
    }

    /** Pixel p of record i, read straight from the record bytes: the independent side. */
    private static void assertRecords(byte[][] batches, int labelBytes, int which, Dataset d) {
        int i = 0;
        for (byte[] b : batches) {
            for (int off = 0; off < b.length; off += labelBytes + 3072, i++) {
                assertEquals(b[off + which] & 0xFF, d.label(i), "label " + i);
                for (int p = 0; p < 3072; p += 97) {
                    assertEquals((b[off + labelBytes + p] & 0xFF) / 255f, d.pixel(i, p), "record " + i + " pixel " + p);
                }
                assertEquals((b[off + labelBytes + 3071] & 0xFF) / 255f, d.pixel(i, 3071));
            }
        }
        assertEquals(i, d.size());
    }

    private Map<String, byte[]> cifar10() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        for (int k = 1; k <= 5; k++) {
            f.put("data_batch_" + k + ".bin", batch(7 + k, 1, 10, k));
        }
        f.put("test_batch.bin", batch(9, 1, 10, 99));
        f.put("batches.meta.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n".getBytes());
        return f;
    }

    @Test
    void cifar10ReadsBackExactlyUnpackedAndFromTheGzippedTar() throws IOException {
        Map<String, byte[]> f = cifar10();
        Path unpacked = dir.resolve("cifar-10-batches-bin");
        Files.createDirectories(unpacked);
        for (var e : f.entrySet()) {
            Files.write(unpacked.resolve(e.getKey()), e.getValue());
        }
        Map<String, byte[]> inTar = new LinkedHashMap<>();
        f.forEach((k, v) -> inTar.put("cifar-10-batches-bin/" + k, v));
        Path tgz = dir.resolve("cifar-10-binary.tar.gz");
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write(Cifar.tar(inTar));
        }
        Files.write(tgz, z.toByteArray());
        byte[][] train = {f.get("data_batch_1.bin"), f.get("data_batch_2.bin"), f.get("data_batch_3.bin"), f.get("data_batch_4.bin"),
            f.get("data_batch_5.bin")};
        for (Path p : List.of(dir, unpacked, tgz)) {
            assertTrue(Cifar.looksLike(p), p.toString());
            Cifar.Data d = Cifar.read(p, true);
            assertEquals("CIFAR-10", d.kind());
            assertEquals("truck", d.classes().get(9));
            assertEquals(d.classes(), d.train().classNames());
            assertRecords(train, 1, 0, d.train());
            assertRecords(new byte[][] {f.get("test_batch.bin")}, 1, 0, d.test());
            assertEquals(3, d.train().channels());
        }
    }

    @Test
    void cifar100HasFineAndCoarseLabels() throws IOException {
        byte[] train = batch(11, 2, 100, 5);
        byte[] test = batch(4, 2, 100, 6);
        Path d = dir.resolve("cifar-100-binary");
        Files.createDirectories(d);
        Files.write(d.resolve("train.bin"), train);
        Files.write(d.resolve("test.bin"), test);
        Cifar.Data fine = Cifar.read(dir, true);
        assertEquals("CIFAR-100", fine.kind());
        assertEquals(100, fine.train().classes());
        assertRecords(new byte[][] {train}, 2, 1, fine.train());
        Cifar.Data coarse = Cifar.read(dir, false);
        assertEquals(20, coarse.train().classes());
        assertRecords(new byte[][] {test}, 2, 0, coarse.test());
    }

    @Test
    void aTruncatedBatchOrALabelOutOfRangeIsNamed() throws IOException {
        Map<String, byte[]> f = cifar10();
        byte[] b = f.get("data_batch_3.bin");
        f.put("data_batch_3.bin", java.util.Arrays.copyOf(b, b.length - 1));
        for (var e : f.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        IOException e = assertThrows(IOException.class, () -> Cifar.read(dir, true));
        assertTrue(e.getMessage().contains("data_batch_3.bin: " + (b.length - 1) + " bytes is not a whole number of 3073-byte records"),
                e.getMessage());
        f.put("data_batch_3.bin", b);
        byte[] t = f.get("test_batch.bin").clone();
        t[3073] = 10;
        Files.write(dir.resolve("data_batch_3.bin"), b);
        Files.write(dir.resolve("test_batch.bin"), t);
        e = assertThrows(IOException.class, () -> Cifar.read(dir, true));
        assertTrue(e.getMessage().contains("test_batch.bin: record 1 has label 10, not below 10"), e.getMessage());
    }

    /** Found by fuzzing (docs/fuzzing.md): the inflater's message for damaged gzip data named no file. */
    @Test
    void aDamagedGzippedTarIsNamed() throws IOException {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write(Cifar.tar(Map.of("data_batch_1.bin", new byte[3073])));
        }
        byte[] b = z.toByteArray();
        b[2] = 7; // the compression method: 8 is deflate, the only one gzip defines
        Path tgz = Files.write(dir.resolve("damaged.tar.gz"), b);
        IOException e = assertThrows(IOException.class, () -> Cifar.read(tgz, true));
        assertTrue(e.getMessage().startsWith(tgz + ": damaged gzip data ("), e.getMessage());
    }
}
