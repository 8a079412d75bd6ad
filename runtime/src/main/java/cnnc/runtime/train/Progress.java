package cnnc.runtime.train;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.function.LongSupplier;

/**
 * The live training progress line, e.g.
 * {@code epoch 2/5  step 300/937  loss 0.4123  acc 85.20%  5230 img/s  ETA 0:12}.
 * On a terminal it is redrawn in place with '\r' at most every 100 ms; otherwise (a log file, a
 * pipe) it is printed as a plain line every tenth of an epoch or every 30 seconds, whichever
 * comes first.
 */
public final class Progress {

    private static final long REDRAW_NS = 100_000_000L;
    private static final long PLAIN_NS = 30_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier clock;
    private int epoch;
    private int epochs;
    private int steps;
    private long epochStart;
    private long lastPrint;
    private int lastTenth;
    private int drawn;

    /**
     * @param terminal redraw one line with '\r' instead of printing lines
     * @param clock    nanoseconds, {@code System::nanoTime} outside tests
     */
    public Progress(PrintStream out, boolean terminal, LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
    }

    /** Progress on standard error, redrawn in place if the process runs on a terminal. */
    public static Progress stderr() {
        return new Progress(System.err, isTerminal(), System::nanoTime);
    }

    /** Progress that prints nothing. */
    public static Progress silent() {
        return new Progress(null, false, System::nanoTime);
    }

    /**
     * Whether the process runs on an interactive terminal: {@code System.console() != null}, and
     * on Java 22+, where a console exists even when redirected, also {@code Console.isTerminal()}.
     */
    public static boolean isTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true; // before Java 22 a console means a terminal
        }
    }

    /** Starts an epoch (numbered from 1) of {@code steps} steps. */
    public void startEpoch(int epoch, int epochs, int steps) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.steps = steps;
        this.epochStart = clock.getAsLong();
        this.lastPrint = epochStart;
        this.lastTenth = 0;
    }

    /**
     * Reports that {@code step} steps (from 1) of {@code batch} images are done, with the running
     * mean loss and accuracy of the epoch so far; prints only when due.
     */
    public void step(int step, int batch, double loss, double accuracy) {
        if (out == null) {
            return;
        }
        long now = clock.getAsLong();
        int tenth = (int) (10L * step / Math.max(1, steps));
        boolean due = terminal ? now - lastPrint >= REDRAW_NS || step == steps
                : tenth > lastTenth || now - lastPrint >= PLAIN_NS;
        if (!due) {
            return;
        }
        lastPrint = now;
        lastTenth = tenth;
        double seconds = Math.max(1e-9, (now - epochStart) / 1e9);
        double rate = step * (double) batch / seconds;
        long eta = Math.round((steps - step) * seconds / step);
        String line = String.format("epoch %d/%d  step %d/%d  loss %.4f  acc %.2f%%  %.0f img/s  ETA %s",
                epoch, epochs, step, steps, loss, 100 * accuracy, rate, clockTime(eta));
        if (terminal) {
            out.print("\r" + pad(line));
            drawn = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Prints a whole line (an epoch summary, a note), first clearing a redrawn progress line. */
    public void message(String line) {
        if (out == null) {
            return;
        }
        if (terminal && drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
        out.println(line);
        out.flush();
    }

    /** Seconds since {@link #startEpoch}. */
    public double epochSeconds() {
        return (clock.getAsLong() - epochStart) / 1e9;
    }

    private String pad(String line) {
        return drawn > line.length() ? line + " ".repeat(drawn - line.length()) : line;
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
    static String clockTime(long s) {
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
