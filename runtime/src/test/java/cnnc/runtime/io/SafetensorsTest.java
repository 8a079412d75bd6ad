package cnnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(30)
class SafetensorsTest {

    @TempDir
    Path dir;

    /** Builds a file by hand: 8-byte little-endian length, the header text, then the data bytes. */
    static byte[] file(long headerLength, String header, int... data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 8; i++) {
            b.write((int) (headerLength >>> (8 * i)));
        }
        b.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        for (int d : data) {
            b.write(d);
        }
        return b.toByteArray();
    }

    static byte[] file(String header, int... data) {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    SafetensorsException refused(String name, byte[] bytes) throws IOException {
        Path p = write(name, bytes);
        return assertThrows(SafetensorsException.class, () -> Safetensors.read(p));
    }

    @Test
    void readsAHandBuiltFile() throws IOException {
        // 1.0f = 0x3F800000, -2.0f = 0xC0000000, little-endian; I32 258 = 0x00000102
        Path p = write("a.safetensors", file("{\"__metadata__\":{\"model\":\"m\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}  ",
                0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x02, 0x01, 0x00, 0x00));
        TensorFile f = Safetensors.read(p);
        assertEquals(List.of("a", "b"), List.copyOf(f.names()));
        assertArrayEquals(new float[] {1f, -2f}, f.get("a").floats());
        assertArrayEquals(new int[] {2}, f.get("a").shape());
        assertArrayEquals(new int[] {258}, f.get("b").ints());
        assertEquals(Map.of("model", "m"), f.metadata());
    }

    @Test
    void readsAFileWrittenByTheReferenceImplementation() throws IOException {
        // Written by huggingface safetensors 0.8.0 (safetensors.numpy.save_file), see the test resource.
        Path p = dir.resolve("official.safetensors");
        try (InputStream in = getClass().getResourceAsStream("official.safetensors")) {
            Files.copy(in, p);
        }
        TensorFile f = Safetensors.read(p);
        assertArrayEquals(new float[] {1.5f, -2f, 0f, 3.25f, 1e-3f, -0f}, f.get("a").floats());
        assertArrayEquals(new int[] {2, 3}, f.get("a").shape());
        assertArrayEquals(new int[] {7, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, f.get("b").ints());
        assertEquals(DType.F64, f.get("c").dtype());
        assertArrayEquals(new int[0], f.get("c").shape());
        assertArrayEquals(new double[] {0.1}, f.get("c").doubles());
        assertEquals(Map.of("model", "tiny", "graph_hash", "abc"), f.metadata());
    }

    @Test
    void writesTheExpectedBytes() throws IOException {
        TensorFile f = new TensorFile();
        f.metadata().put("k", "v");
        f.put("w", Tensor.f32(new int[] {1}, new float[] {1f}));
        f.put("p", Tensor.i32(new int[0], new int[] {-1}));
        Path p = dir.resolve("out.safetensors");
        Safetensors.write(p, f);
        String header = "{\"__metadata__\":{\"k\":\"v\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"p\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[4,8]}}";
        int len = header.length();
        String padded = header + " ".repeat((8 - len % 8) % 8); // data starts 8-byte aligned
        byte[] expected = file(padded, 0x00, 0x00, 0x80, 0x3F, 0xFF, 0xFF, 0xFF, 0xFF);
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    @Test
    void roundTripsEveryDtypeBitExactly() {
        float[] fl = {0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0x7fc00001), 1f / 3};
        int[] in = new int[70000]; // spans several write chunks
        for (int i = 0; i < in.length; i++) {
            in[i] = (int) (i * 2654435761L); // Knuth multiplicative hash: all bit patterns
        }
        double[] db = {Math.PI, -Double.MIN_VALUE, Double.NaN};
        TensorFile f = new TensorFile();
        f.put("f", Tensor.f32(new int[] {7}, fl));
        f.put("i", Tensor.i32(new int[] {70, 1000}, in));
        f.put("d", Tensor.f64(new int[] {3, 1}, db));
        f.put("empty", Tensor.f32(new int[] {0, 4}, new float[0]));
        f.metadata().put("é", "\"quoted\"");
        Path p = dir.resolve("rt.safetensors");
        Safetensors.write(p, f);
        TensorFile g = Safetensors.read(p);
        float[] back = g.get("f").floats();
        for (int i = 0; i < fl.length; i++) {
            assertEquals(Float.floatToRawIntBits(fl[i]), Float.floatToRawIntBits(back[i]), "element " + i);
        }
        assertArrayEquals(in, g.get("i").ints());
        assertArrayEquals(new int[] {70, 1000}, g.get("i").shape());
        assertArrayEquals(db, g.get("d").doubles());
        assertArrayEquals(new int[] {0, 4}, g.get("empty").shape());
        assertEquals(f.metadata(), g.metadata());
    }

    @Test
    void refusesAMissingOrTinyFile() throws IOException {
        Path missing = dir.resolve("nope.safetensors");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        assertTrue(refused("tiny.safetensors", new byte[] {1, 2, 3}).getMessage().contains("too short"));
    }

    @Test
    void refusesImplausibleHeaderLengths() throws IOException {
        String h = "{}";
        assertTrue(refused("big.st", file(1L << 40, h)).getMessage().contains("implausible header length 1099511627776"));
        assertTrue(refused("neg.st", file(-1L, h)).getMessage().contains("implausible header length 18446744073709551615"));
        assertTrue(refused("past.st", file(100, h)).getMessage().contains("implausible header length 100"));
        assertTrue(refused("zero.st", file(0, h)).getMessage().contains("implausible"));
    }

    @Test
    void refusesAHeaderThatIsNotJson() throws IOException {
        SafetensorsException e = refused("h.st", file("{\"a\": nope}"));
        assertTrue(e.getMessage().startsWith(dir.resolve("h.st") + ": header is not valid JSON"), e.getMessage());
        assertTrue(refused("arr.st", file("[1,2]")).getMessage().contains("not a JSON object"));
        byte[] badUtf8 = file("{\"\u00e9\":1}");
        badUtf8[10] = (byte) 0xFF;
        assertTrue(refused("u.st", badUtf8).getMessage().contains("UTF-8"));
    }

    @Test
    void refusesUnknownDtypesNamingTheTensor() throws IOException {
        SafetensorsException e = refused("d.st", file("{\"w\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 0, 0));
        assertEquals(dir.resolve("d.st") + ": tensor 'w': unsupported dtype 'F16' (this runtime reads F32, I32 and F64)",
                e.getMessage());
    }

    @Test
    void refusesOffsetsThatDoNotMatchTheShape() throws IOException {
        SafetensorsException e = refused("o.st",
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", new int[12]));
        assertEquals(dir.resolve("o.st") + ": tensor 'w': data_offsets [0, 12] do not match F32 [2, 2] (16 bytes)",
                e.getMessage());
        assertTrue(refused("rev.st", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", new int[4]))
                .getMessage().contains("tensor 'w'"));
    }

    @Test
    void refusesMalformedEntries() throws IOException {
        assertTrue(refused("s.st", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new int[4]))
                .getMessage().contains("tensor 'w': shape holds -1"));
        assertTrue(refused("s2.st", file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new int[4]))
                .getMessage().contains("tensor 'w': shape is missing"));
        assertTrue(refused("s3.st", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new int[4]))
                .getMessage().contains("data_offsets must have 2 elements"));
        assertTrue(refused("s4.st", file("{\"w\":[1]}")).getMessage().contains("tensor 'w'"));
        assertTrue(refused("m.st", file("{\"__metadata__\":{\"a\":1}}")).getMessage().contains("__metadata__"));
    }

    @Test
    void refusesTruncatedData() throws IOException {
        SafetensorsException e = refused("t.st",
                file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", new int[10]));
        assertEquals(dir.resolve("t.st") + ": truncated: tensor 'w' needs data bytes [0, 12) but the file holds only 10",
                e.getMessage());
    }

    @Test
    void refusesOverlapsGapsAndStrayBytes() throws IOException {
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertEquals(dir.resolve("ov.st") + ": tensors 'a' [0, 8] and 'b' [4, 12] overlap",
                refused("ov.st", file(two, new int[12])).getMessage());
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(refused("gap.st", file(gap, new int[8])).getMessage().contains("[0, 4) belong to no tensor"));
        String one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertTrue(refused("stray.st", file(one, new int[6])).getMessage().contains("2 stray bytes"));
    }

    @Test
    void failedWritesLeaveTheOldFileAndNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        Files.write(p, new byte[] {42});
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(p, ch -> {
            ch.write(java.nio.ByteBuffer.wrap(new byte[100]));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(p));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
    }

    @Test
    void writesReplaceAtomicallyAndCreateDirectories() throws IOException {
        Path p = dir.resolve("sub/dir/w.safetensors");
        TensorFile f = new TensorFile().put("a", Tensor.f32(new int[] {1}, new float[] {1}));
        Safetensors.write(p, f);
        f.put("a", Tensor.f32(new int[] {1}, new float[] {2}));
        Safetensors.write(p, f);
        assertArrayEquals(new float[] {2}, Safetensors.read(p).get("a").floats());
        try (var files = Files.list(p.getParent())) {
            assertEquals(1, files.count()); // no temporary file left behind
        }
    }
}
