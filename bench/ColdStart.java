package bench;

import cnnc.runtime.Classifier;
import cnnc.runtime.Network;
import cnnc.runtime.data.Dataset;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

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
        Instant start = ProcessHandle.current().info().startInstant().orElseThrow();
        System.out.println("label " + label + " ms_since_process_start " + Duration.between(start, Instant.now()).toMillis());
    }
}
