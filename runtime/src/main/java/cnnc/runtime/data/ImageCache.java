package cnnc.runtime.data;

import cnnc.runtime.io.Json;
import cnnc.runtime.io.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Decodes an image folder's split once, in parallel, into a cache file of unsigned bytes that later
 * epochs and later runs memory-map instead of decoding again.
 *
 * <p>The file is {@code <cache>/<folder>-<split>-<key>.images}: {@code folder} a hash of the folder's
 * absolute path, {@code key} the SHA-256 of the model's input size, the conversion policy and every
 * file's relative path, class, size and modification time, so adding, removing, renaming or
 * touching a file gives another key and the split is decoded again (the file of the old key is then
 * deleted: it is one of ours, by its name). Layout: the 8 bytes {@code CNNCIMG1}, a little-endian
 * int32 header length, a JSON header ({@code key}, {@code count}, {@code channels}, {@code height},
 * {@code width}, {@code skipped}), the labels as little-endian int32, then the pixels, image after
 * image, {@code C x H x W} bytes each. A cache file whose header or length does not match is stale
 * or damaged: it is reported and rebuilt. A new file is written beside its final name and renamed
 * into place, so no reader ever maps a half-written cache.
 */
public final class ImageCache {

    private static final byte[] MAGIC = "CNNCIMG1".getBytes(StandardCharsets.US_ASCII);

    /** What loading did: images, how many were decoded (0 when the cache was used) and in how long. */
    public record Stats(int images, int decoded, double seconds, Path file, List<String> skipped, String note) {
        /** Decoded images per second (0 when nothing was decoded). */
        public double decodeImagesPerSecond() {
            return decoded == 0 || seconds <= 0 ? 0 : decoded / seconds;
        }
    }

    /** A loaded split: the data set (labels, mapped pixels) and what loading did. */
    public record Loaded(Dataset data, Stats stats) {}

    private ImageCache() {}

    /**
     * The default cache directory: {@code $CNNC_CACHE}, else {@code $XDG_CACHE_HOME/cnnc}, else
     * {@code ~/.cache/cnnc}.
     */
    public static Path defaultDir() {
        String own = System.getenv("CNNC_CACHE");
        if (own != null && !own.isEmpty()) {
            return Paths.get(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && !xdg.isEmpty() ? Paths.get(xdg, "cnnc") : Paths.get(System.getProperty("user.home"), ".cache", "cnnc");
    }

    /**
     * Loads one split, from the cache when it matches, else decoding with {@code threads} threads.
     *
     * @throws IOException naming the first image (in folder order) that cannot be read, unless
     *         {@code skipBad}: then such images are left out and listed in the stats
     */
    public static Loaded load(ImageFolder folder, ImageFolder.Split split, int c, int h, int w, Images.Policy policy,
                              boolean skipBad, Path cacheDir, int threads) throws IOException {
        String key = key(split, c, h, w, policy, skipBad);
        String prefix = hash(folder.dir().toAbsolutePath().normalize().toString()).substring(0, 16) + "-" + split.name() + "-";
        Path file = cacheDir.resolve(prefix + key.substring(0, 32) + ".images");
        int classes = folder.classes().size();
        String note = null;
        if (Files.isRegularFile(file)) {
            long start = System.nanoTime();
            try {
                Dataset d = map(file, key, classes, c, h, w);
                List<String> skipped = new ArrayList<>(split.skipped());
                skipped.addAll(skippedOf(file));
                return new Loaded(d.withClassNames(folder.classes()),
                        new Stats(d.size(), 0, (System.nanoTime() - start) / 1e9, file, skipped, null));
            } catch (IOException e) {
                note = "the image cache " + file + " is stale or damaged (" + e.getMessage() + "); decoding again";
            }
        }
        Files.createDirectories(cacheDir);
        long start = System.nanoTime();
        List<String> skipped = new ArrayList<>(split.skipped());
        int kept = build(split, file, key, c, h, w, policy, skipBad, threads, skipped);
        removeOthers(cacheDir, prefix, file);
        Dataset d = map(file, key, classes, c, h, w);
        return new Loaded(d.withClassNames(folder.classes()), new Stats(kept, kept, (System.nanoTime() - start) / 1e9, file, skipped, note));
    }

    private static String key(ImageFolder.Split split, int c, int h, int w, Images.Policy policy, boolean skipBad) {
        StringBuilder b = new StringBuilder("cnnc image cache 1\n");
        b.append(c).append('x').append(h).append('x').append(w).append(' ').append(Images.FILTER).append(" resize=")
                .append(policy.resize()).append(" convert=").append(policy.convertChannels()).append(" skipBad=").append(skipBad).append('\n');
        for (ImageFolder.Entry e : split.entries()) {
            b.append(e.label()).append('\t').append(e.relative()).append('\t').append(e.size()).append('\t').append(e.modified()).append('\n');
        }
        return hash(b.toString());
    }

    private static String hash(String s) {
        return Sha256.hex(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes every entry into a temporary file, then renames it to {@code file}; returns the images kept. */
    private static int build(ImageFolder.Split split, Path file, String key, int c, int h, int w, Images.Policy policy,
                             boolean skipBad, int threads, List<String> skipped) throws IOException {
        List<ImageFolder.Entry> entries = split.entries();
        int n = entries.size();
        int px = c * h * w;
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        boolean done = false;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            String[] errors = new String[n];
            MappedByteBuffer pixels = n == 0 ? null : ch.map(FileChannel.MapMode.READ_WRITE, 0, (long) n * px);
            decode(entries, c, h, w, policy, threads, pixels, px, errors);
            int kept = 0;
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                if (errors[i] != null) {
                    if (!skipBad) {
                        throw new IOException(errors[i] + (n > 1 ? " (--skip-bad leaves unreadable images out)" : ""));
                    }
                    skipped.add(errors[i]);
                    continue;
                }
                if (kept != i) { // close the gap a skipped image left
                    byte[] b = new byte[px];
                    pixels.get(i * px, b);
                    pixels.put(kept * px, b);
                }
                labels[kept++] = entries.get(i).label();
            }
            if (n > 0) {
                pixels.force();
            }
            writeFinal(file, tmp, ch, key, kept, c, h, w, labels, skipped.subList(split.skipped().size(), skipped.size()), px);
            done = true;
            return kept;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void decode(List<ImageFolder.Entry> entries, int c, int h, int w, Images.Policy policy, int threads,
                               MappedByteBuffer pixels, int px, String[] errors) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "cnnc-decode");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger next = new AtomicInteger();
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < Math.max(1, threads); t++) {
                jobs.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < entries.size(); i = next.getAndIncrement()) {
                        ImageFolder.Entry e = entries.get(i);
                        try {
                            byte[] b = Images.toBytes(Images.read(e.file()), c, h, w, policy, e.file().toString());
                            pixels.put(i * px, b);
                        } catch (IOException | RuntimeException ex) {
                            errors[i] = ex.getMessage() == null ? e.file() + ": " + ex : ex.getMessage();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding images");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("decoding failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The pixels were written at offset 0; the final layout puts the header and labels first, so the
     * pixels are moved behind them (one sequential copy) before the rename.
     */
    private static void writeFinal(Path file, Path tmp, FileChannel pixelsCh, String key, int n, int c, int h, int w, int[] labels,
                                   List<String> skipped, int px) throws IOException {
        byte[] header = header(key, n, c, h, w, skipped);
        long dataStart = dataStart(header.length, n);
        Path out = tmp.resolveSibling(tmp.getFileName() + ".final");
        try (FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate((int) dataStart).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).putInt(header.length).put(header);
            for (int i = 0; i < n; i++) {
                head.putInt(labels[i]);
            }
            head.position(0).limit((int) dataStart);
            while (head.hasRemaining()) {
                o.write(head);
            }
            long total = (long) n * px;
            long copied = 0;
            while (copied < total) {
                copied += pixelsCh.transferTo(copied, total - copied, o);
            }
            o.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(out);
            throw e;
        }
        try {
            Files.move(out, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(out, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(out);
        }
        Files.deleteIfExists(tmp);
    }

    private static byte[] header(String key, int n, int c, int h, int w, List<String> skipped) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        m.put("count", (long) n);
        m.put("channels", (long) c);
        m.put("height", (long) h);
        m.put("width", (long) w);
        m.put("skipped", new ArrayList<Object>(skipped));
        return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }

    private static long dataStart(int headerLength, int n) {
        long end = MAGIC.length + 4L + headerLength + 4L * n;
        return (end + 63) / 64 * 64; // pixels start on a cache line
    }

    /** Maps a cache file after checking that it is the one wanted, whole. */
    private static Dataset map(Path file, String key, int classes, int c, int h, int w) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            if (size < 12 || ch.read(pre, 0) != 12) {
                throw new IOException("shorter than its header");
            }
            byte[] magic = new byte[8];
            pre.flip();
            pre.get(magic);
            int headerLength = pre.getInt();
            if (!java.util.Arrays.equals(magic, MAGIC) || headerLength < 2 || headerLength > size - 12) {
                throw new IOException("not a cnnc image cache");
            }
            ByteBuffer hb = ByteBuffer.allocate(headerLength);
            ch.read(hb, 12);
            Map<?, ?> header;
            try {
                header = (Map<?, ?>) Json.parse(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new IOException("unreadable header");
            }
            if (!key.equals(header.get("key")) || num(header, "channels") != c || num(header, "height") != h
                    || num(header, "width") != w) {
                throw new IOException("made for other files or another input size");
            }
            long n = num(header, "count");
            long start = dataStart(headerLength, (int) n);
            long px = (long) c * h * w;
            if (size != start + n * px) {
                throw new IOException("its length is " + size + " bytes, not " + (start + n * px));
            }
            if (n * px > Integer.MAX_VALUE) {
                throw new IOException("over 2 GiB of pixels; split the folder");
            }
            ByteBuffer lb = ByteBuffer.allocate((int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lb, 12 + headerLength);
            lb.flip();
            int[] labels = new int[(int) n];
            for (int i = 0; i < n; i++) {
                labels[i] = lb.getInt();
                if (labels[i] < 0 || labels[i] >= classes) {
                    throw new IOException("label " + labels[i] + " of image " + i + " is outside [0, " + classes + ")");
                }
            }
            MappedByteBuffer pixels = ch.map(FileChannel.MapMode.READ_ONLY, start, n * px);
            return Dataset.ofBytes(file.getFileName().toString(), pixels, labels, c, h, w, classes);
        }
    }

    private static long num(Map<?, ?> m, String k) throws IOException {
        Object v = m.get(k);
        if (!(v instanceof Number)) {
            throw new IOException("header has no " + k);
        }
        return ((Number) v).longValue();
    }

    private static List<String> skippedOf(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            pre.flip();
            pre.position(8);
            ByteBuffer hb = ByteBuffer.allocate(pre.getInt());
            ch.read(hb, 12);
            Object s = ((Map<?, ?>) Json.parse(new String(hb.array(), StandardCharsets.UTF_8))).get("skipped");
            List<String> out = new ArrayList<>();
            if (s instanceof List<?> l) {
                l.forEach(x -> out.add(String.valueOf(x)));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Deletes the cache files of earlier contents of the same folder and split (ours by name). */
    private static void removeOthers(Path cacheDir, String prefix, Path keep) {
        try (Stream<Path> s = Files.list(cacheDir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(".images") && !p.equals(keep)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // an old cache file left behind costs disk space only
        }
    }
}
