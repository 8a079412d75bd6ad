package cnnc.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Progress output to the console and to a run's {@code train.log}: everything goes to the console;
 * the log gets whole lines only, so a progress line redrawn in place with '\r' on a terminal leaves
 * just its final state (or nothing) in the log.
 */
final class LogTee extends OutputStream {

    private final OutputStream console;
    private final OutputStream log;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private LogTee(OutputStream console, OutputStream log) {
        this.console = console;
        this.log = log;
    }

    /** A print stream writing to {@code console} and appending lines to {@code logFile}. */
    static PrintStream of(OutputStream console, Path logFile) {
        try {
            OutputStream log = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new PrintStream(new LogTee(console, log), true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot write the log " + logFile + ": " + e.getMessage());
        }
    }

    @Override
    public void write(int b) throws IOException {
        console.write(b);
        if (b == '\r') {
            line.reset();
        } else if (b == '\n') {
            line.write(b);
            line.writeTo(log);
            line.reset();
        } else {
            line.write(b);
        }
    }

    @Override
    public void flush() throws IOException {
        console.flush();
        log.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
        log.close();
    }
}
