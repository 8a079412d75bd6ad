package cnnc.cli;

import cnnc.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a command's text to stdout or, with {@code -o FILE}, to a temporary file beside FILE renamed
 * over it, so FILE is never half-written: a reader sees the old file or the new one (DEVELOPING.md).
 */
final class Output {

    private Output() {}

    static void write(Path file, String text, PrintWriter stdout) {
        if (file == null) {
            stdout.print(text);
            stdout.flush();
            return;
        }
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new UserError("cannot write '" + file + "': it is a directory");
        }
        try {
            AtomicFiles.writeString(target, text);
        } catch (IOException e) {
            throw new UserError("cannot write '" + file + "': " + e.getMessage());
        }
    }
}
