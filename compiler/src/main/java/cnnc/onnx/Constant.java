package cnnc.onnx;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A constant tensor of the graph (an initializer or a {@code Constant} node's value), read into
 * floats or longs whatever ONNX type stored it: typed fields, {@code raw_data} (little-endian) or
 * an external data file beside the model.
 */
record Constant(String name, long[] dims, float[] floats, long[] longs) {

    static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
    static final int DOUBLE = OnnxMl.TensorProto.DataType.DOUBLE_VALUE;
    static final int INT64 = OnnxMl.TensorProto.DataType.INT64_VALUE;
    static final int INT32 = OnnxMl.TensorProto.DataType.INT32_VALUE;

    long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    boolean isInt() {
        return longs != null;
    }

    /** The values as floats (ints converted). */
    float[] values() {
        if (floats != null) {
            return floats;
        }
        float[] f = new float[longs.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = longs[i];
        }
        return f;
    }

    /** The values as longs (floats truncated). */
    long[] ints() {
        if (longs != null) {
            return longs;
        }
        long[] l = new long[floats.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (long) floats[i];
        }
        return l;
    }

    String dimsString() {
        return Arrays.toString(dims).replace(" ", "");
    }

    /** Reads {@code t}; {@code dir} is where external data files are looked up. Throws with a sentence naming the tensor. */
    static Constant read(OnnxMl.TensorProto t, Path dir) {
        String name = t.getName();
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int type = t.getDataType();
        if (type != FLOAT && type != DOUBLE && type != INT64 && type != INT32) {
            throw new IllegalArgumentException("tensor '" + name + "' has data type "
                    + OnnxMl.TensorProto.DataType.forNumber(type) + "; cnnc reads FLOAT, DOUBLE, INT64 and INT32");
        }
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension in " + Arrays.toString(dims));
            }
            count *= d;
        }
        int width = type == FLOAT || type == INT32 ? 4 : 8;
        ByteBuffer raw = null;
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            raw = external(t, dir, count * width);
        } else if (!t.getRawData().isEmpty()) {
            raw = t.getRawData().asReadOnlyByteBuffer();
        }
        long found;
        float[] f = null;
        long[] l = null;
        if (raw != null) {
            raw.order(ByteOrder.LITTLE_ENDIAN);
            found = raw.remaining() / width;
            if (raw.remaining() % width != 0 || found != count) {
                throw new IllegalArgumentException("tensor '" + name + "' has dims " + Arrays.toString(dims) + " (" + count
                        + " values) but holds " + raw.remaining() + " bytes");
            }
            int n = (int) count;
            switch (type) {
                case 1 -> { f = new float[n]; raw.asFloatBuffer().get(f); }
                case 11 -> { f = new float[n]; for (int i = 0; i < n; i++) f[i] = (float) raw.getDouble(); }
                case 7 -> { l = new long[n]; raw.asLongBuffer().get(l); }
                default -> { l = new long[n]; for (int i = 0; i < n; i++) l[i] = raw.getInt(); }
            }
        } else {
            switch (type) {
                case 1 -> { f = new float[t.getFloatDataCount()]; for (int i = 0; i < f.length; i++) f[i] = t.getFloatData(i); }
                case 11 -> { f = new float[t.getDoubleDataCount()]; for (int i = 0; i < f.length; i++) f[i] = (float) t.getDoubleData(i); }
                case 7 -> l = t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
                default -> l = t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
            }
            found = f != null ? f.length : l.length;
            if (found != count) {
                throw new IllegalArgumentException("tensor '" + name + "' has dims " + Arrays.toString(dims) + " (" + count
                        + " values) but holds " + found);
            }
        }
        return new Constant(name, dims, f, l);
    }

    private static ByteBuffer external(OnnxMl.TensorProto t, Path dir, long bytes) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue());
                case "length" -> length = Long.parseLong(e.getValue());
                default -> { }
            }
        }
        if (location == null) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' is stored externally but names no file (location)");
        }
        Path file = dir.resolve(location).normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' is stored in external file '" + location
                    + "', which is not there (" + file + ")");
        }
        long want = length >= 0 ? length : bytes;
        if (want > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' is larger than 2 GB");
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            if (offset + want > in.length()) {
                throw new IllegalArgumentException("tensor '" + t.getName() + "' reads bytes " + offset + " to " + (offset + want)
                        + " of external file '" + location + "', which has " + in.length());
            }
            byte[] b = new byte[(int) want];
            in.seek(offset);
            in.readFully(b);
            return ByteBuffer.wrap(b);
        } catch (IOException e) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "': cannot read external file '" + location + "': "
                    + e.getMessage());
        }
    }
}
