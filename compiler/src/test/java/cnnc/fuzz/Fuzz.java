package cnnc.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every fuzz target shares: a scratch file for readers that take a path, and the rule that a
 * reader either returns or throws its own documented error, with a message that names the file.
 * Any other exception (an index out of bounds, a negative array size, an out-of-memory) is a
 * finding: Jazzer saves the input as a reproducer and the test fails.
 *
 * <p>A new target is one small class: a {@code @FuzzTest} method that hands its input to the code
 * under test through {@link #rejectsCleanly}, and a seed directory
 * {@code src/test/resources/cnnc/fuzz/<Class>Inputs/<method>/} (docs/fuzzing.md).
 */
final class Fuzz {

    private Fuzz() {}

    /** Something under test that may throw a checked exception. */
    interface Action {
        void run() throws Exception;
    }

    private static Path scratch;

    /** {@code data} in a file (one per JVM, rewritten for each input) whose name ends in {@code suffix}. */
    static synchronized Path file(byte[] data, String suffix) {
        try {
            if (scratch == null || !scratch.getFileName().toString().endsWith(suffix)) {
                Path dir = Files.createTempDirectory("cnnc-fuzz");
                dir.toFile().deleteOnExit();
                scratch = dir.resolve("input" + suffix);
                scratch.toFile().deleteOnExit();
            }
            Files.write(scratch, data);
            return scratch;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code action}; it may fail only with {@code allowed}, whose message must name
     * {@code file} (for a data file) or be non-empty. Anything else is rethrown as a finding.
     */
    static void rejectsCleanly(Class<? extends Exception> allowed, String file, Action action) throws Exception {
        try {
            action.run();
        } catch (Exception e) {
            if (!allowed.isInstance(e)) {
                throw e;
            }
            String message = e.getMessage();
            if (message == null || message.isBlank() || (file != null && !message.contains(file))) {
                throw new AssertionError("an unclear error: " + message, e);
            }
        }
    }
}
