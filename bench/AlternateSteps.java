import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.runtime.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Two generated training classes (files of {@code bench/GenerateClass.java}, packages {@code gena} and
 * {@code genb}) in one JVM, a training step (forward and backward) of each in turn, the one that goes
 * first alternating, for SECONDS after 25 s of warm-up: the median step of each and their ratio. Both
 * see the same machine at the same moments, which separate runs on a noisy machine do not; but the
 * class loaded second runs a few percent slower whatever it is (docs/performance.md, "Stop 16"), so
 * {@code bench/alternate-builds.sh} runs both orders. Profiled classes: the time of every step too.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp compiler/target/cnnc.jar bench/AlternateSteps.java A.src B.src SECONDS
 * </pre>
 */
public final class AlternateSteps {

    static Network load(String file, String pkg) throws Exception {
        String all = Files.readString(Path.of(file));
        int nl = all.indexOf('\n');
        return JaninoLoader.compile(new JavaBackend.Source(pkg, all.substring(0, nl), all.substring(nl + 1))).instantiate();
    }

    /** Seeded parameters (gamma about 1), uniform pixels, one-hot targets: the same in both. */
    static void fill(Network net) {
        Random r = new Random(1);
        for (String name : net.parameterNames()) {
            float[] w = net.tensor(name);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (r.nextGaussian() * 0.05 + (name.endsWith("gamma") ? 1 : 0));
            }
        }
        float[] x = net.tensor(net.inputName());
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        float[] z = net.tensor(net.targetName());
        int k = z.length / net.batch();
        for (int t = 0; t < net.batch(); t++) {
            z[t * k + r.nextInt(k)] = 1f;
        }
    }

    static void step(Network n) {
        n.forward();
        n.backward();
    }

    public static void main(String[] args) throws Exception {
        Network[] n = {load(args[0], "gena"), load(args[1], "genb")};
        int seconds = Integer.parseInt(args[2]);
        for (Network x : n) {
            fill(x);
            x.setThreads(2);
        }
        long warm = System.nanoTime() + 25_000_000_000L;
        while (System.nanoTime() < warm) {
            step(n[0]);
            step(n[1]);
        }
        boolean profiled = hasProfile(n[0]);
        if (profiled) {
            for (Network x : n) {
                Arrays.fill(nanos(x), 0);
            }
        }
        double[][] ms = new double[2][100_000];
        int k = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end && k < ms[0].length) {
            for (int i = 0; i < 2; i++) {
                int j = k % 2 == 0 ? i : 1 - i;
                long s = System.nanoTime();
                step(n[j]);
                ms[j][k] = (System.nanoTime() - s) / 1e6;
            }
            k++;
        }
        double a = median(Arrays.copyOf(ms[0], k)), b = median(Arrays.copyOf(ms[1], k));
        System.out.printf("%d steps each: %s median %.2f ms, %s median %.2f ms, second/first %.3f%n", k, Path.of(args[0]).getFileName(), a,
                Path.of(args[1]).getFileName(), b, b / a);
        if (profiled) {
            units(n, k);
        }
        for (Network x : n) {
            x.setThreads(1);
        }
    }

    static boolean hasProfile(Network n) {
        try {
            n.getClass().getField("profileNanos");
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    static long[] nanos(Network n) throws ReflectiveOperationException {
        return (long[]) n.getClass().getField("profileNanos").get(n);
    }

    /** Milliseconds per step of every step of the two profiled classes, side by side. */
    static void units(Network[] n, int steps) throws ReflectiveOperationException {
        Map<String, double[]> byStep = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            String[] step = (String[]) n[i].getClass().getField("PROFILE_STEP").get(null);
            String[] pass = (String[]) n[i].getClass().getField("PROFILE_PASS").get(null);
            long[] t = nanos(n[i]);
            for (int u = 0; u < t.length; u++) {
                byStep.computeIfAbsent(pass[u].charAt(0) + " " + step[u], s -> new double[2])[i] += t[u] / 1e6 / steps;
            }
        }
        byStep.forEach((s, v) -> System.out.printf("  %-56s %8.3f %8.3f%n", s, v[0], v[1]));
    }

    static double median(double[] v) {
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
