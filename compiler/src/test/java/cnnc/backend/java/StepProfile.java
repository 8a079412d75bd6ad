package cnnc.backend.java;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Where a training step's time goes: generates a model's training class, wraps every
 * {@code pool.run} and inline loop of {@code forward()} and {@code backward()} in a timer, and
 * prints microseconds per step for each, after a warm-up. A tool, not a test (bench/profile-steps.sh):
 * {@code StepProfile MODEL.cnn THREADS STEPS}.
 */
public final class StepProfile {

    /** Nanoseconds per timed statement; the instrumented class adds to it. */
    public static final long[] NANOS = new long[512];

    private StepProfile() {}

    public static void main(String[] args) throws Exception {
        String file = args[0];
        int threads = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        Model m = Pipeline.compile(SourceFile.of(file, Files.readString(Path.of(file))), Options.defaults());
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.profiled", JavaBackend.vectorAvailable());
        List<String> names = new ArrayList<>();
        String text = instrument(src.text(), names);
        Network net = JaninoLoader.compile(new JavaBackend.Source(src.packageName(), src.className(), text)).instantiate();
        net.setThreads(threads);
        Random r = new Random(1);
        fill(net.tensor(net.inputName()), r, 1);
        float[] z = net.tensor(net.targetName());
        int classes = z.length / net.batch();
        for (int t = 0; t < net.batch(); t++) {
            z[t * classes + t % classes] = 1f;
        }
        for (String p : net.parameterNames()) {
            fill(net.tensor(p), r, 0.1);
        }
        for (int round = 0; round < 2; round++) { // the first round is the warm-up
            java.util.Arrays.fill(NANOS, 0);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                net.forward();
                net.backward();
            }
            long total = System.nanoTime() - t0;
            if (round == 1) {
                for (int i = 0; i < names.size(); i++) {
                    System.out.printf("%9.1f us  %s%n", NANOS[i] / 1e3 / steps, names.get(i));
                }
                System.out.printf("%9.1f us per forward + backward at batch %d on %d threads: %.0f images/s%n",
                        total / 1e3 / steps, net.batch(), threads, net.batch() * steps / (total / 1e9));
            }
        }
    }

    private static void fill(float[] a, Random r, double scale) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
    }

    /** Times each unit of forward() and backward(), named by the comments above it. */
    static String instrument(String java, List<String> names) {
        StringBuilder out = new StringBuilder();
        StringBuilder comments = new StringBuilder();
        boolean in = false;
        int loop = -1;
        for (String line : java.split("\n", -1)) {
            String t = line.trim();
            if (t.startsWith("public void forward()") || t.startsWith("public void backward()")) {
                in = true;
            } else if (in && line.equals("    }")) {
                in = false;
            }
            if (in && t.startsWith("//")) {
                comments.append(comments.isEmpty() ? "" : ", ").append(t.substring(2).trim().replaceAll(" \\(.*\\)$", ""));
            }
            boolean unit = in && (t.startsWith("pool.run(") || t.matches("[fbs]\\d+_\\w+\\(0\\);") || t.startsWith("for (int chunk"));
            if (unit) {
                int id = names.size();
                names.add(comments.toString());
                comments.setLength(0);
                if (t.startsWith("for (int chunk")) {
                    out.append("long _t").append(id).append(" = System.nanoTime();\n").append(line).append('\n');
                    loop = id;
                } else {
                    out.append("{ long _t = System.nanoTime(); ").append(t).append(" cnnc.backend.java.StepProfile.NANOS[").append(id)
                            .append("] += System.nanoTime() - _t; }\n");
                }
                continue;
            }
            out.append(line).append('\n');
            if (loop >= 0 && t.equals("}")) {
                out.append("cnnc.backend.java.StepProfile.NANOS[").append(loop).append("] += System.nanoTime() - _t").append(loop).append(";\n");
                loop = -1;
            }
        }
        return out.toString();
    }
}
