package cnnc.cli;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A head start for the first compile in a JVM. Janino's first compile spends about 200 ms loading
 * its own classes and reflecting over the JDK classes the code calls ({@code FloatVector} has
 * hundreds of methods), whatever the size of the class. A daemon thread compiles a few lines that
 * call the same methods when a command starts compiling, so on a second core that overlaps the
 * main thread's parsing and generating instead of following them (LeNet-5's cold compile: about
 * 5% less, docs/performance.md). Nothing waits for it, and it changes nothing but timing.
 *
 * <p>Warming the whole path with a tiny network (parser, passes, JavaPoet, Janino) was slower:
 * the two threads then queue on the same class initializations.
 */
final class Warmup {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private Warmup() {}

    static void startInBackground() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        JavaBackend.Source source = new JavaBackend.Source("cnnc.warmup", "Warmup", source(JavaBackend.vectorAvailable()));
        Thread t = new Thread(() -> {
            try {
                JaninoLoader.compileOnly(source);
            } catch (RuntimeException | LinkageError e) {
                // only a head start: the real compile reports any real problem
            }
        }, "cnnc-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** A class calling what generated kernels call: the Vector API's loads, broadcasts, fmas and stores, or plain loops. */
    static String source(boolean vector) {
        String v = "jdk.incubator.vector.FloatVector";
        String body = vector
                ? "    private static final jdk.incubator.vector.VectorSpecies S = " + v + ".SPECIES_256;\n"
                        + "    float f(float[] x, float[] w, int o) {\n"
                        + "        " + v + " a = " + v + ".zero(S);\n"
                        + "        for (int c = 0; c < 2; c++) {\n"
                        + "            " + v + " t = " + v + ".fromArray(S, x, o + c);\n"
                        + "            a = t.fma(" + v + ".broadcast(S, w[c]), a);\n"
                        + "        }\n"
                        + "        a.intoArray(x, o);\n"
                        + "        return x[o] > 0f ? x[o] : 0f;\n"
                        + "    }\n"
                : "    float f(float[] x, float[] w, int o) {\n"
                        + "        float s = 0f;\n"
                        + "        for (int c = 0; c < 2; c++) {\n"
                        + "            s += x[o + c] * w[c];\n"
                        + "        }\n"
                        + "        return s > 0f ? s : 0f;\n"
                        + "    }\n";
        return "package cnnc.warmup;\n\nfinal class Warmup {\n" + body + "}\n";
    }
}
