package cnnc.runtime.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The binary versions of CIFAR-10 and CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar.html), as a
 * folder or as the distributed tar file (gzipped or not; gzip is detected by its magic).
 * <ul>
 * <li>CIFAR-10: {@code data_batch_1.bin} .. {@code data_batch_5.bin} and {@code test_batch.bin},
 * records of 1 label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each 32x32 row
 * major); class names in {@code batches.meta.txt}, one per line.</li>
 * <li>CIFAR-100: {@code train.bin} and {@code test.bin}, records of a coarse label byte, a fine
 * label byte and 3072 pixel bytes; names in {@code fine_label_names.txt} and
 * {@code coarse_label_names.txt}.</li>
 * </ul>
 * The pixels are already {@code C x H x W} bytes, kept as they are. Files may sit in the folder or
 * tar file itself or one level down ({@code cifar-10-batches-bin/}, {@code cifar-100-binary/}).
 * A file that is not a whole number of records, or a label beyond the classes, fails naming the file.
 */
public final class Cifar {

    public static final int SIDE = 32;
    public static final int PIXELS = 3 * SIDE * SIDE;

    /** Both splits and the class names. */
    public record Data(String kind, Dataset train, Dataset test, List<String> classes) {}

    private Cifar() {}

    /** Whether {@code p} looks like CIFAR binaries: a tar file, or a folder with the batch files. */
    public static boolean looksLike(Path p) {
        if (Files.isRegularFile(p)) {
            String n = p.getFileName().toString();
            return n.endsWith(".tar.gz") || n.endsWith(".tgz") || n.endsWith(".tar");
        }
        return find(p, "data_batch_1.bin") != null || find(p, "train.bin") != null;
    }

    /**
     * Reads CIFAR-10 or CIFAR-100 (by the files present).
     *
     * @param fine for CIFAR-100, the 100 fine labels (else the 20 coarse ones)
     */
    public static Data read(Path p, boolean fine) throws IOException {
        Map<String, byte[]> files = Files.isRegularFile(p) ? untar(p) : null;
        Source src = files != null ? name -> files.get(name) : name -> {
            Path f = find(p, name);
            return f == null ? null : Files.readAllBytes(f);
        };
        String where = p.toString();
        if (src.get("data_batch_1.bin") != null) {
            List<String> names = names(src, "batches.meta.txt", 10, where);
            List<byte[]> train = new ArrayList<>();
            List<String> trainNames = new ArrayList<>();
            for (int i = 1; src.get("data_batch_" + i + ".bin") != null; i++) {
                train.add(src.get("data_batch_" + i + ".bin"));
                trainNames.add(where + "/data_batch_" + i + ".bin");
            }
            byte[] test = require(src, "test_batch.bin", where);
            return new Data("CIFAR-10", records(train, trainNames, 1, 0, 10, names),
                    records(List.of(test), List.of(where + "/test_batch.bin"), 1, 0, 10, names), names);
        }
        if (src.get("train.bin") != null) {
            int classes = fine ? 100 : 20;
            List<String> names = names(src, fine ? "fine_label_names.txt" : "coarse_label_names.txt", classes, where);
            return new Data("CIFAR-100", records(List.of(src.get("train.bin")), List.of(where + "/train.bin"), 2, fine ? 1 : 0,
                    classes, names), records(List.of(require(src, "test.bin", where)), List.of(where + "/test.bin"), 2,
                    fine ? 1 : 0, classes, names), names);
        }
        throw new IOException(where + ": no CIFAR binaries (data_batch_1.bin ... test_batch.bin, or train.bin and test.bin)");
    }

    private interface Source {
        byte[] get(String name) throws IOException;
    }

    private static byte[] require(Source src, String name, String where) throws IOException {
        byte[] b = src.get(name);
        if (b == null) {
            throw new IOException(where + ": " + name + " is missing");
        }
        return b;
    }

    private static Path find(Path dir, String name) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        for (Path d : new Path[] {dir, dir.resolve("cifar-10-batches-bin"), dir.resolve("cifar-100-binary")}) {
            if (Files.isRegularFile(d.resolve(name))) {
                return d.resolve(name);
            }
        }
        return null;
    }

    /** Class names, one per non-empty line; numbers when the file is absent. */
    private static List<String> names(Source src, String file, int classes, String where) throws IOException {
        byte[] b = src.get(file);
        List<String> names = new ArrayList<>();
        if (b == null) {
            for (int i = 0; i < classes; i++) {
                names.add(Integer.toString(i));
            }
            return names;
        }
        for (String line : new String(b, StandardCharsets.UTF_8).split("\r?\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        if (names.size() != classes) {
            throw new IOException(where + "/" + file + ": " + names.size() + " class names, expected " + classes);
        }
        return names;
    }

    private static Dataset records(List<byte[]> parts, List<String> names, int labelBytes, int which, int classes,
                                   List<String> classNames) throws IOException {
        int record = labelBytes + PIXELS;
        long n = 0;
        for (int i = 0; i < parts.size(); i++) {
            byte[] b = parts.get(i);
            if (b.length == 0 || b.length % record != 0) {
                throw new IOException(names.get(i) + ": " + b.length + " bytes is not a whole number of " + record
                        + "-byte records (" + labelBytes + " label byte" + (labelBytes == 1 ? "" : "s")
                        + " + 3072 pixels); the file is truncated or not a CIFAR batch");
            }
            n += b.length / record;
        }
        byte[] pixels = new byte[Math.toIntExact(n * PIXELS)];
        int[] labels = new int[(int) n];
        int k = 0;
        for (int i = 0; i < parts.size(); i++) {
            byte[] b = parts.get(i);
            for (int off = 0; off < b.length; off += record, k++) {
                labels[k] = b[off + which] & 0xFF;
                if (labels[k] >= classes) {
                    throw new IOException(names.get(i) + ": record " + (off / record) + " has label " + labels[k] + ", not below "
                            + classes);
                }
                System.arraycopy(b, off + labelBytes, pixels, k * PIXELS, PIXELS);
            }
        }
        return Dataset.ofBytes(names.get(0), ByteBuffer.wrap(pixels), labels, 3, SIDE, SIDE, classes).withClassNames(classNames);
    }

    /** The regular files of a (gzipped) tar, by base name. */
    static Map<String, byte[]> untar(Path file) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            byte[] header = new byte[512];
            while (true) {
                if (in.readNBytes(header, 0, 512) < 512) {
                    throw new IOException(file + ": truncated tar file");
                }
                if (allZero(header)) {
                    break;
                }
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                long size = octal(header, 124, 12, file);
                char type = (char) header[156];
                long padded = (size + 511) / 512 * 512;
                if (type == '0' || type == 0) {
                    if (size > Integer.MAX_VALUE - 16) {
                        throw new IOException(file + ": " + name + " is too large");
                    }
                    byte[] data = in.readNBytes((int) size);
                    if (data.length < size) {
                        throw new IOException(file + ": truncated tar file (" + name + " ends early)");
                    }
                    in.skipNBytes(padded - size);
                    String full = prefix.isEmpty() ? name : prefix + "/" + name;
                    out.put(full.substring(full.lastIndexOf('/') + 1), data);
                } else {
                    in.skipNBytes(padded);
                }
            }
        } catch (java.io.EOFException e) {
            throw new IOException(file + ": truncated tar file");
        } catch (java.util.zip.ZipException e) {
            // the inflater's own words ("invalid distance too far back", "Corrupt GZIP trailer") name no file
            throw new IOException(file + ": damaged gzip data (" + e.getMessage() + ")", e);
        }
        return out;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int off, int len, Path file) throws IOException {
        String s = field(h, off, len).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": not a tar file (bad size field '" + s + "')");
        }
    }

    /** Writes the files as an uncompressed tar (for tests and tools): name, then data, in order. */
    public static byte[] tar(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            byte[] h = new byte[512];
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
            put(h, 100, String.format("%07o", 0644));
            put(h, 108, "0000000");
            put(h, 116, "0000000");
            put(h, 124, String.format("%011o", e.getValue().length));
            put(h, 136, "00000000000");
            h[156] = '0';
            put(h, 257, "ustar");
            h[263] = '0';
            h[264] = '0';
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xFF;
            }
            put(h, 148, String.format("%06o", sum));
            h[154] = 0;
            out.writeBytes(h);
            out.writeBytes(e.getValue());
            out.writeBytes(new byte[(512 - e.getValue().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
