package cnnc.runtime.io;

import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes safetensors files (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}},
 * then the raw little-endian data; offsets count from the first data byte.
 *
 * <p>Reading validates everything (as the reference implementation does): a plausible header
 * length, valid JSON, a supported dtype, offsets whose span equals dtype size times the element
 * count, tensors that neither overlap nor leave gaps, and data that is neither truncated nor
 * followed by stray bytes. Writing pads the header with spaces so the data starts 8-byte aligned,
 * and is atomic ({@link AtomicFiles}).
 */
public final class Safetensors {

    /** Largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER = 100_000_000L;

    private static final int CHUNK = 1 << 16;

    private Safetensors() {
    }

    /** One tensor's header entry, before its data is read. */
    private static final class Entry {
        final String name;
        final DType dtype;
        final int[] shape;
        final long begin;
        final long end;

        Entry(String name, DType dtype, int[] shape, long begin, long end) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.begin = begin;
            this.end = end;
        }
    }

    /**
     * Reads a whole file.
     *
     * @throws SafetensorsException naming the file (and tensor) if it is missing, unreadable or invalid
     */
    public static TensorFile read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(file, "not a safetensors file: " + size
                        + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = readFully(ch, 0, 8);
            long n = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 2 || n > MAX_HEADER || n > size - 8) {
                throw new SafetensorsException(file, "not a safetensors file: implausible header length "
                        + Long.toUnsignedString(n) + " (file size " + size + " bytes)");
            }
            String json = utf8(file, readFully(ch, 8, (int) n));
            TensorFile out = new TensorFile();
            List<Entry> entries = parseHeader(file, json, out.metadata());
            long dataStart = 8 + n;
            checkLayout(file, entries, size - dataStart);
            for (Entry e : entries) {
                out.put(e.name, readTensor(ch, dataStart, e));
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(file, "no such file", e);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static String utf8(Path file, ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, "header is not valid UTF-8");
        }
    }

    private static List<Entry> parseHeader(Path file, String json, Map<String, String> metadata) {
        Object root;
        try {
            root = Json.parse(json);
        } catch (Json.JsonException e) {
            throw new SafetensorsException(file, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map)) {
            throw new SafetensorsException(file, "header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> kv : ((Map<?, ?>) root).entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals(TensorFile.METADATA_KEY)) {
                readMetadata(file, kv.getValue(), metadata);
            } else {
                entries.add(parseEntry(file, name, kv.getValue()));
            }
        }
        return entries;
    }

    private static void readMetadata(Path file, Object value, Map<String, String> metadata) {
        if (!(value instanceof Map)) {
            throw new SafetensorsException(file, "__metadata__ is not a JSON object");
        }
        for (Map.Entry<?, ?> kv : ((Map<?, ?>) value).entrySet()) {
            if (!(kv.getValue() instanceof String)) {
                throw new SafetensorsException(file, "__metadata__ value of \"" + kv.getKey() + "\" is not a string");
            }
            metadata.put((String) kv.getKey(), (String) kv.getValue());
        }
    }

    private static Entry parseEntry(Path file, String name, Object value) {
        if (!(value instanceof Map)) {
            throw new SafetensorsException(file, "tensor '" + name + "': header entry is not a JSON object");
        }
        Map<?, ?> m = (Map<?, ?>) value;
        Object dt = m.get("dtype");
        if (!(dt instanceof String)) {
            throw new SafetensorsException(file, "tensor '" + name + "': missing or non-string dtype");
        }
        DType dtype = DType.fromName((String) dt);
        if (dtype == null) {
            throw new SafetensorsException(file, "tensor '" + name + "': unsupported dtype '" + dt
                    + "' (this runtime reads F32, I32 and F64)");
        }
        long[] shapeL = longs(file, name, "shape", m.get("shape"), -1);
        long[] off = longs(file, name, "data_offsets", m.get("data_offsets"), 2);
        int[] shape = new int[shapeL.length];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            count *= shapeL[i];
            if (shapeL[i] > Integer.MAX_VALUE || count > Integer.MAX_VALUE) {
                throw new SafetensorsException(file, "tensor '" + name + "': shape too large for this runtime");
            }
            shape[i] = (int) shapeL[i];
        }
        long need = count * dtype.bytes();
        if (off[1] < off[0] || off[1] - off[0] != need) {
            throw new SafetensorsException(file, "tensor '" + name + "': data_offsets [" + off[0] + ", " + off[1]
                    + "] do not match " + dtype + " " + Tensor.shapeString(shape) + " (" + need + " bytes)");
        }
        return new Entry(name, dtype, shape, off[0], off[1]);
    }

    /** A JSON array of non-negative integers; {@code length} -1 means any length. */
    private static long[] longs(Path file, String tensor, String key, Object v, int length) {
        String what = "tensor '" + tensor + "': " + key;
        if (!(v instanceof List)) {
            throw new SafetensorsException(file, what + " is missing or not an array");
        }
        List<?> list = (List<?>) v;
        if (length >= 0 && list.size() != length) {
            throw new SafetensorsException(file, what + " must have " + length + " elements");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object o = list.get(i);
            if (!(o instanceof Long) || (Long) o < 0) {
                throw new SafetensorsException(file, what + " holds " + o + ", not a non-negative integer");
            }
            out[i] = (Long) o;
        }
        return out;
    }

    /** Tensors must tile the data exactly: sorted by offset, each starts where the previous ended. */
    private static void checkLayout(Path file, List<Entry> entries, long dataLength) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
        long at = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin < at) {
                throw new SafetensorsException(file, "tensors '" + prev.name + "' [" + prev.begin + ", " + prev.end
                        + "] and '" + e.name + "' [" + e.begin + ", " + e.end + "] overlap");
            }
            if (e.begin > at) {
                throw new SafetensorsException(file, "data bytes [" + at + ", " + e.begin + ") belong to no tensor");
            }
            if (e.end > dataLength) {
                throw new SafetensorsException(file, "truncated: tensor '" + e.name + "' needs data bytes ["
                        + e.begin + ", " + e.end + ") but the file holds only " + dataLength);
            }
            at = e.end;
            prev = e;
        }
        if (at != dataLength) {
            throw new SafetensorsException(file, (dataLength - at) + " stray bytes after the last tensor");
        }
    }

    private static Tensor readTensor(FileChannel ch, long dataStart, Entry e) throws IOException {
        int count = TensorSpec.sizeOf(e.shape);
        long pos = dataStart + e.begin;
        switch (e.dtype) {
            case F32: {
                float[] a = new float[count];
                for (int i = 0; i < count; ) {
                    int n = Math.min(CHUNK / 4, count - i);
                    readFully(ch, pos + 4L * i, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a, i, n);
                    i += n;
                }
                return Tensor.f32(e.shape, a);
            }
            case I32: {
                int[] a = new int[count];
                for (int i = 0; i < count; ) {
                    int n = Math.min(CHUNK / 4, count - i);
                    readFully(ch, pos + 4L * i, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(a, i, n);
                    i += n;
                }
                return Tensor.i32(e.shape, a);
            }
            default: {
                double[] a = new double[count];
                for (int i = 0; i < count; ) {
                    int n = Math.min(CHUNK / 8, count - i);
                    readFully(ch, pos + 8L * i, 8 * n).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(a, i, n);
                    i += n;
                }
                return Tensor.f64(e.shape, a);
            }
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new EOFException("unexpected end of file");
            }
        }
        b.flip();
        return b;
    }

    /**
     * Writes a file atomically: a reader sees the old file or the complete new one.
     *
     * @throws SafetensorsException naming the file if it cannot be written
     */
    public static void write(Path file, TensorFile contents) {
        byte[] header = header(contents);
        try {
            AtomicFiles.write(file, ch -> {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                len.flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : contents.tensors().values()) {
                    writeData(ch, buf, t);
                }
            });
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot write: " + e, e);
        }
    }

    /** The JSON header, space-padded so that 8 + its length is a multiple of 8. */
    static byte[] header(TensorFile contents) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (!contents.metadata().isEmpty()) {
            root.put(TensorFile.METADATA_KEY, contents.metadata());
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : contents.tensors().entrySet()) {
            Tensor t = e.getValue();
            long end = offset + (long) t.size() * t.dtype().bytes();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype().name());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[] {offset, end});
            root.put(e.getKey(), entry);
            offset = end;
        }
        byte[] bytes = Json.write(root).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - bytes.length % 8) % 8;
        byte[] out = new byte[bytes.length + pad];
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        for (int i = bytes.length; i < out.length; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeData(FileChannel ch, ByteBuffer buf, Tensor t) throws IOException {
        Object a = t.array();
        int count = t.size();
        int width = t.dtype().bytes();
        for (int i = 0; i < count; ) {
            int n = Math.min(CHUNK / width, count - i);
            buf.clear();
            if (a instanceof float[]) {
                buf.asFloatBuffer().put((float[]) a, i, n);
            } else if (a instanceof int[]) {
                buf.asIntBuffer().put((int[]) a, i, n);
            } else {
                buf.asDoubleBuffer().put((double[]) a, i, n);
            }
            buf.limit(n * width);
            writeFully(ch, buf);
            i += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
