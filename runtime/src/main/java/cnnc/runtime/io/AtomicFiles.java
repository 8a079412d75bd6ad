package cnnc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a file so that readers see either the old contents or the complete new ones, never a
 * half-written file: write a temporary file in the same directory (same file system, so the
 * rename is atomic), force it to disk, then rename it over the target.
 */
public final class AtomicFiles {

    /** Writes the contents of the file through a channel. */
    public interface Writer {
        void write(FileChannel out) throws IOException;
    }

    private static final AtomicLong COUNTER = new AtomicLong();

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code text} in UTF-8, as {@link #write(Path, Writer)}. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces {@code target} with {@code bytes}, as {@link #write(Path, Writer)}. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            for (ByteBuffer b = ByteBuffer.wrap(bytes); b.hasRemaining(); ) {
                ch.write(b);
            }
        });
    }

    /**
     * Replaces {@code target} with what {@code writer} writes; creates missing parent directories.
     * On failure the target is untouched and the temporary file removed.
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "."
                + COUNTER.incrementAndGet() + ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
