package bench;

import cnnc.runtime.Classifier;
import cnnc.runtime.Network;
import cnnc.runtime.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * bench/cold-start.sh's Java side: what an application embedding a generated network does on its
 * first request. The class was generated ahead of time ({@code cnnc generate --inference --batch 1})
 * and compiled with javac; only cnnc-runtime is on the class path. Loads the weights, reads the
 * first test image and classifies it; prints the label and the milliseconds since the process
 * started (the JVM's own start included).
 *
 * <pre>java -cp classes:cnnc-runtime.jar bench.ColdStart lenet5|fashion_bn WEIGHTS DATA_DIR</pre>
 */
public final class ColdStart {

    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        Network net = args[0].equals("lenet5") ? new Lenet5_T1() : new Fashion_bn_T1();
        Classifier classifier = Classifier.load(net, Path.of(args[1]));
        Path data = Path.of(args[2]);
        Dataset test = Dataset.fromIdx(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"), 10);
        float[] image = new float[test.pixels()];
        for (int p = 0; p < image.length; p++) {
            image[p] = test.pixel(0, p);
        }
        int label = classifier.classify(image);
        System.out.println("label " + label + " ms_since_process_start " + msSinceProcessStart());
    }

    /**
     * From /proc: the seconds since boot now ({@code /proc/uptime}) less the process's start in
     * clock ticks since boot ({@code /proc/self/stat}, field 22, 100 per second). Both count from
     * the same clock at 10 ms resolution; ProcessHandle's start instant adds the boot time rounded
     * to whole seconds, too coarse here.
     */
    static long msSinceProcessStart() throws java.io.IOException {
        double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        String stat = Files.readString(Path.of("/proc/self/stat"));
        long startTicks = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
        return Math.round((uptime - startTicks / 100.0) * 1000);
    }
}
