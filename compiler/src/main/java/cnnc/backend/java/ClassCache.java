package cnnc.backend.java;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.io.AtomicFiles;
import cnnc.runtime.io.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.codehaus.commons.compiler.util.reflect.ByteArrayClassLoader;
import org.codehaus.janino.SimpleCompiler;

/**
 * Compiled network classes kept on disk between runs. A cold JVM spends most of a compile warming
 * up the compiler itself (cifar_vgg: about 2.5 s cold, 0.3 s when the same JVM compiles it again,
 * docs/performance.md "Stop 24"); a class kept from an earlier run loads in milliseconds instead.
 * This is what JAX's persistent compilation cache and PyTorch's kernel caches do.
 *
 * <p><b>The key</b> is the SHA-256 of everything the generated class is a function of: the model
 * after every pass ({@link CanonicalText}: every node, shape, choice and the .cnn text whose lines
 * the comments quote), the package, the Vector API or plain Java, the memory plan, every
 * {@code cnnc.*} system property (the overrides some tools set; not {@code cnnc.root}, a location), the JDK's version, and the build
 * of cnnc, Janino and the runtime (each jar's path, size and modification time, or for a class
 * directory its files' count, total size and newest time). Two runs that would generate different
 * source get different keys; a rebuilt cnnc never loads an older build's classes.
 *
 * <p><b>An entry</b> is {@code <dir>/<key>.classes}: the 8 bytes {@code CNNCCLS1}, the key, the
 * source's package, class name and text, every class file Janino produced, then a CRC-32 of all
 * that. It is written beside its final name and renamed into place, so no reader sees half an
 * entry; an entry that is damaged or names another key is a miss, and the compile that follows
 * replaces it. Loading touches the entry's modification time; storing then removes the least
 * recently used entries beyond the size limit. Nothing but files named {@code <64 hex>.classes}
 * (and this class's own temporary files) in the directory is ever deleted.
 */
public final class ClassCache {

    /** What the cache may hold before the least recently used entries go (cifar_vgg's training class: about 1 MB). */
    public static final long DEFAULT_LIMIT_BYTES = 256L << 20;

    private static final byte[] MAGIC = "CNNCCLS1".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern ENTRY = Pattern.compile("[0-9a-f]{64}\\.classes");
    private static final Pattern TEMP = Pattern.compile("\\.[0-9a-f]{64}\\.classes\\.\\d+\\.\\d+\\.tmp");
    /** A temporary file this old was left by a writer that died: one of ours by its name. */
    private static final long STALE_TEMP_MS = 24L * 3600 * 1000;

    /** {@code cnnc.*} properties that only say where files are, never what code is generated. */
    private static final Set<String> LOCATION_ONLY = Set.of("cnnc.root");

    private static volatile String defaultBuild;

    private final Path dir;
    private final String build;
    private final long limitBytes;

    /**
     * A cache in {@code dir} (created on the first store) for classes of the build {@code build}
     * ({@link #currentBuild()} for this JVM's), holding at most {@code limitBytes}.
     */
    public ClassCache(Path dir, String build, long limitBytes) {
        this.dir = dir;
        this.build = build;
        this.limitBytes = limitBytes;
    }

    /** A cache in {@code dir} for this JVM's build of cnnc, of the default size. */
    public static ClassCache at(Path dir) {
        return new ClassCache(dir, currentBuild(), DEFAULT_LIMIT_BYTES);
    }

    public Path dir() {
        return dir;
    }

    /** The entry {@link #key} names. */
    public Path entry(String key) {
        return dir.resolve(key + ".classes");
    }

    /** The key of the class {@code JavaBackend.generate(model, pkg, vector, memory)} would produce. */
    public String key(Model model, String pkg, boolean vector, JavaBackend.Memory memory) {
        StringBuilder b = new StringBuilder("cnnc class cache 1\n");
        b.append(build).append("\njava ").append(Runtime.version()).append("\npackage ").append(pkg)
                .append("\nvector ").append(vector).append("\nmemory ").append(memory).append('\n');
        for (String k : new java.util.TreeSet<>(System.getProperties().stringPropertyNames())) {
            if (k.startsWith("cnnc.") && !LOCATION_ONLY.contains(k)) {
                b.append("property ").append(k).append('=').append(System.getProperty(k)).append('\n');
            }
        }
        CanonicalText.append(model, b);
        return Sha256.hex(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The class stored under {@code key}, loaded; empty when there is none or it is damaged. */
    public Optional<JaninoLoader.Compiled> load(String key) {
        Path file = entry(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            JaninoLoader.Compiled c = decode(key, bytes);
            touch(file);
            return Optional.of(c);
        } catch (IOException | ClassNotFoundException | LinkageError | ClassCastException e) {
            return Optional.empty();
        }
    }

    /**
     * Keeps {@code compiled} under {@code key}, then trims the cache to its limit.
     *
     * @throws IOException when the directory or the entry cannot be written (nothing half-written is left)
     */
    public void store(String key, JaninoLoader.Compiled compiled) throws IOException {
        Path file = entry(key);
        AtomicFiles.writeBytes(file, encode(key, compiled));
        trim(file);
    }

    /** Removes the least recently used entries until the rest fit the limit ({@code keep} stays), and dead writers' temporaries. */
    private void trim(Path keep) throws IOException {
        List<Path> entries = new ArrayList<>();
        long now = System.currentTimeMillis();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (ENTRY.matcher(name).matches() && Files.isRegularFile(p)) {
                    entries.add(p);
                } else if (TEMP.matcher(name).matches() && staleSince(p, now)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        long total = 0;
        Map<Path, Long> sizes = new TreeMap<>();
        Map<Path, Long> times = new TreeMap<>();
        for (Path p : List.copyOf(entries)) {
            try {
                sizes.put(p, Files.size(p));
                times.put(p, Files.getLastModifiedTime(p).toMillis());
                total += sizes.get(p);
            } catch (NoSuchFileException e) {
                entries.remove(p);  // another process trimmed it meanwhile
            }
        }
        // oldest first; ties by name, so two processes trimming at once agree
        entries.sort(Comparator.comparing((Path p) -> times.get(p)).thenComparing(Path::toString));
        for (Path p : entries) {
            if (total <= limitBytes) {
                break;
            }
            if (!p.equals(keep)) {
                Files.deleteIfExists(p);
                total -= sizes.get(p);
            }
        }
    }

    /** Whether a temporary file is older than a living writer's would be (false when it is gone already). */
    private static boolean staleSince(Path temp, long now) throws IOException {
        try {
            return now - Files.getLastModifiedTime(temp).toMillis() > STALE_TEMP_MS;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // a read-only cache still serves; it only forgets which entries were used last
        }
    }

    private static byte[] encode(String key, JaninoLoader.Compiled c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeUTF(key);
            out.writeUTF(c.source().packageName());
            out.writeUTF(c.source().className());
            writeBytes(out, c.source().text().getBytes(StandardCharsets.UTF_8));
            Map<String, byte[]> classes = new TreeMap<>(c.bytecodes());
            out.writeInt(classes.size());
            for (Map.Entry<String, byte[]> e : classes.entrySet()) {
                out.writeUTF(e.getKey());
                writeBytes(out, e.getValue());
            }
        }
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        bytes.write(ByteBuffer.allocate(8).putLong(crc.getValue()).array());
        return bytes.toByteArray();
    }

    private static JaninoLoader.Compiled decode(String key, byte[] bytes) throws IOException, ClassNotFoundException {
        if (bytes.length < MAGIC.length + 8) {
            throw new EOFException("too short");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong()) {
            throw new IOException("checksum");
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 8));
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!java.util.Arrays.equals(magic, MAGIC) || !in.readUTF().equals(key)) {
            throw new IOException("not this key's entry");
        }
        JavaBackend.Source source = new JavaBackend.Source(in.readUTF(), in.readUTF(),
                new String(readBytes(in), StandardCharsets.UTF_8));
        int n = in.readInt();
        Map<String, byte[]> classes = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            classes.put(in.readUTF(), readBytes(in));
        }
        ClassLoader loader = new ByteArrayClassLoader(classes, Network.class.getClassLoader());
        Class<?> type = loader.loadClass(source.qualifiedName());
        return new JaninoLoader.Compiled(type.asSubclass(Network.class), Map.copyOf(classes), source);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new EOFException("length " + n);
        }
        return in.readNBytes(n);
    }

    /**
     * This JVM's build of what a generated class is made by and runs on: the code sources of cnnc's
     * compiler, its runtime and Janino (one jar when cnnc runs from {@code cnnc.jar}).
     */
    public static String currentBuild() {
        String b = defaultBuild;
        if (b == null) {
            Set<Path> sources = new LinkedHashSet<>();
            for (Class<?> c : List.of(ClassCache.class, Network.class, SimpleCompiler.class)) {
                sources.add(codeSource(c));
            }
            StringBuilder s = new StringBuilder();
            for (Path p : sources) {
                s.append(describe(p)).append('\n');
            }
            b = s.toString();
            defaultBuild = b;
        }
        return b;
    }

    private static Path codeSource(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            throw new IllegalStateException("no code source for " + c.getName());
        }
        try {
            return Path.of(cs.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar: its path, size and time; a class directory: its path, and its files' count, total size and newest time. */
    private static String describe(Path p) {
        try {
            if (Files.isRegularFile(p)) {
                return "jar " + p + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
            }
            long[] sum = new long[3];
            try (Stream<Path> files = Files.walk(p)) {
                files.filter(Files::isRegularFile).forEach(f -> {
                    try {
                        sum[0]++;
                        sum[1] += Files.size(f);
                        sum[2] = Math.max(sum[2], Files.getLastModifiedTime(f).toMillis());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            return "dir " + p + " " + sum[0] + " " + sum[1] + " " + sum[2];
        } catch (IOException | UncheckedIOException e) {
            // unreadable: a build nobody else can match, so nothing is shared with it
            return "unknown " + p + " " + System.nanoTime();
        }
    }
}
