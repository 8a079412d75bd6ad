package cnnc.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cnnc bench}'s phases after training, each in a JVM of its own. In one JVM, the class the JIT
 * warms up second runs slower than the same class warmed up first (3-5% a training step, up to a
 * third on some steps; batch-1 latency 0.61-0.82 ms after the training class against 0.46-0.53 ms
 * alone for fashion_bn: docs/performance.md, "Stop 16"). An application embedding one inference class
 * sees the second kind of figure, so each phase runs where it is the first: the training phase in
 * {@code cnnc bench}'s own JVM, the others in children started with the same JVM options and
 * arguments plus {@code --phase}. A child relays its report and ends it with {@link #MARK} and its
 * {@code key value} lines, which the parent gathers into one block in the documented order.
 */
final class BenchPhases {

    /** The phases a child runs: the per-step profile, batch-1 latency, big-batch throughput. */
    enum Phase {
        PROFILE, LATENCY, THROUGHPUT
    }

    /** The line a child prints before its keys (not shown to the user). */
    static final String MARK = "#bench-keys";

    private BenchPhases() {}

    /** The {@code key value} lines of a run, printed in docs/training.md's order. */
    static final class Keys {
        private final Map<String, String> values = new LinkedHashMap<>();

        void put(String key, double value) {
            put(key, value, "%.1f");
        }

        void put(String key, double value, String format) {
            values.put(key, String.format(Locale.ROOT, format, value));
        }

        /** Takes {@code key value} lines, as {@link #printMarked} or the profile writes them. */
        void parse(String lines) {
            for (String line : lines.split("\n")) {
                String[] kv = line.strip().split(" ");
                if (kv.length == 2) {
                    values.put(kv[0], kv[1]);
                }
            }
        }

        /** The five keys of every run first (and the CPU rate), then the rest (the profile's) as they came. */
        void print(PrintWriter out, int inferBatch) {
            List<String> first = List.of("train_images_per_s", "infer_batch1_latency_us", "infer_batch" + inferBatch + "_images_per_s",
                    "compile_ms", "compile_cached", "peak_heap_mb", "train_images_per_cpu_s");
            for (String k : first) {
                if (values.containsKey(k)) {
                    out.println(k + " " + values.get(k));
                }
            }
            values.forEach((k, v) -> {
                if (!first.contains(k)) {
                    out.println(k + " " + v);
                }
            });
        }

        /** A child's ending: the mark, then its keys. */
        void printMarked(PrintWriter out) {
            out.println(MARK);
            values.forEach((k, v) -> out.println(k + " " + v));
            out.flush();
        }
    }

    /**
     * Runs each phase in a child JVM, one after the other, relaying what it prints to {@code out}
     * and gathering its keys; a child that fails stops the run with its exit code.
     */
    static void runEach(List<Phase> phases, List<String> args, Keys keys, PrintWriter out, PrintWriter err) {
        List<Long> pids = new ArrayList<>();
        for (Phase p : phases) {
            try {
                Process child = new ProcessBuilder(command(args, p)).start();
                pids.add(child.pid());
                child.getOutputStream().close();
                Thread errors = relayErrors(child, err);
                StringBuilder mine = new StringBuilder();
                boolean marked = false;
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.equals(MARK)) {
                            marked = true;
                        } else if (marked) {
                            mine.append(line).append('\n');
                        } else {
                            out.println(line);
                            out.flush();
                        }
                    }
                }
                int code = child.waitFor();
                errors.join();
                if (code != 0 || !marked) {
                    throw new UserError("the " + p.name().toLowerCase(Locale.ROOT) + " phase's JVM failed (exit code " + code
                            + "); --one-jvm runs every phase in this one");
                }
                keys.parse(mine.toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start a JVM for the " + p + " phase", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the " + p + " phase ran", e);
            }
        }
        out.printf("(the phases after training ran in JVMs of their own, pids %s; --one-jvm runs them in this one)%n",
                pids.toString().replaceAll("[\\[\\]]", ""));
    }

    /** The JVM's boot warning about the incubator module, which bin/cnnc drops from its own stderr too. */
    private static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";
    /** HotSpot's boot line for bin/cnnc's compiler directives (bin/lib/jit-directives.json), dropped there too. */
    private static final String DIRECTIVES_ADDED = "1 compiler directives added";

    /** Copies a child's stderr to {@code err} as it comes, but for the boot lines above. */
    private static Thread relayErrors(Process child, PrintWriter err) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.equals(INCUBATOR_WARNING) && !line.equals(DIRECTIVES_ADDED)) {
                        err.println(line);
                        err.flush();
                    }
                }
            } catch (IOException e) {
                err.println("cnnc: lost a phase's error output: " + e.getMessage());
            }
        }, "bench-phase-stderr");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * This JVM's command for one phase: the same java, JVM options, class path and arguments
     * ({@code args}: the command line from {@code bench} on), plus {@code --phase}. A startup-cache recording (bin/cnnc's first run) stays with this JVM.
     */
    static List<String> command(List<String> args, Phase p) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String o : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!o.startsWith("-XX:AOTMode=") && !o.startsWith("-XX:AOTConfiguration=")) {
                cmd.add(o);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        cmd.add("--phase=" + p.name());
        return cmd;
    }
}
