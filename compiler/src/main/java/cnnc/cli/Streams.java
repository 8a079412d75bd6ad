package cnnc.cli;

import cnnc.runtime.train.Progress;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The runtime reports through {@link PrintStream}s; the commands write to picocli's {@link PrintWriter}s. */
final class Streams {

    /** Set by {@link Main#main}: the error writer is the process's stderr, which may be a terminal. */
    static volatile boolean processStderr;

    private Streams() {}

    /** Live progress on {@code err}: redrawn in place on a terminal, plain lines otherwise. */
    static Progress progress(PrintWriter err) {
        if (processStderr) {
            err.flush();
            return Progress.stderr();
        }
        return new Progress(printStream(err), false, System::nanoTime);
    }

    /** As {@link #progress(PrintWriter)}, every whole line also appended to {@code log}. */
    static Progress progress(PrintWriter err, java.nio.file.Path log) {
        if (processStderr) {
            err.flush();
            return new Progress(LogTee.of(System.err, log), Progress.isTerminal(), System::nanoTime);
        }
        return new Progress(LogTee.of(printStream(err), log), false, System::nanoTime);
    }

    /** A print stream whose bytes reach {@code w} at every flush. */
    static PrintStream printStream(PrintWriter w) {
        OutputStream bytes = new OutputStream() {
            private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer.write(b, off, len);
            }

            @Override
            public void flush() {
                w.print(buffer.toString(StandardCharsets.UTF_8));
                buffer.reset();
                w.flush();
            }
        };
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
