package cnnc.cli;

import cnnc.ir.Model;
import cnnc.runtime.data.Augment;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Preprocessing;
import java.io.PrintWriter;

/**
 * {@code cnnc bench --loader}: how fast the data of {@code --data} loads (decoding an image folder
 * into the cache when it is cold, mapping the cache when warm) and how fast batches are filled from
 * it (read, augment as the train block says, normalize), to set against the training images/s: the
 * background loader keeps up when its rate is well above the training rate.
 */
final class LoaderBench {

    private LoaderBench() {}

    /** Prints the figures and returns the fill rate in images/s. */
    static double run(DataArgs data, Model m, int threads, double seconds, PrintWriter out) {
        long t0 = System.nanoTime();
        DataSets.Loaded loaded = DataSets.load(data, m, m.train().seed(), threads);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        Dataset train = loaded.train();
        Preprocessing prep = Normalize.preprocessing(m.train().normalize(), train, m);
        train = prep.apply(train);
        Augment augment = Normalize.augment(m.train().augment());
        int batch = m.batch();
        float[] input = new float[batch * train.pixels()];
        float[] target = new float[batch * train.classes()];
        int steps = train.size() / batch;
        long images = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        for (int epoch = 0; System.nanoTime() < end || images == 0; epoch++) {
            int[] order = train.order(m.train().seed(), epoch);
            for (int s = 0; s < steps && (System.nanoTime() < end || images == 0); s++) {
                train.fill(order, s * batch, batch, input, target, augment, m.train().seed(), epoch);
                images += batch;
            }
        }
        double fillRate = images / ((System.nanoTime() - start) / 1e9);
        out.printf("data %s (%s): %d training images, loaded in %.2f s%s%n", loaded.where(), loaded.kind(), train.size(), loadSeconds,
                loaded.decoded() > 0 ? String.format(" (cold: decoded %d images at %.0f images/s)", loaded.decoded(),
                        loaded.decodeImagesPerSecond()) : loaded.kind().equals("image folder") ? " (warm: the cache)" : "");
        out.printf("loader filling batches of %d (augmentation %s, normalization %s), one thread: %.0f images/s%n", batch, augment,
                prep.describeNormalization(), fillRate);
        out.printf("loader_images_per_s %.0f%n", fillRate);
        if (loaded.decoded() > 0) {
            out.printf("decode_images_per_s %.0f%n", loaded.decodeImagesPerSecond());
        }
        out.printf("load_s %.2f%n", loadSeconds);
        out.flush();
        return fillRate;
    }
}
