package cnnc.backend.java;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Quick timings, run by hand: {@code mvn ... -Dtest=BenchTest -Dcnnc.bench=true}. */
@EnabledIfSystemProperty(named = "cnnc.bench", matches = "true")
class BenchTest {

    @Test
    void lenet() throws Exception {
        Path file = Models.root().resolve("samples/lenet5.cnn");
        String text = Files.readString(file);
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            Model m = Pipeline.compile(SourceFile.of("lenet5.cnn", text), Options.defaults().withBatch(64));
            Network net = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated")).instantiate();
            System.out.printf("compile_ms %.1f%n", (System.nanoTime() - t0) / 1e6);
        }
        Network train = Models.network(Models.file(file, 64));
        Models.fill(train, 1);
        for (int threads : new int[] {1, 2}) {
            train.setThreads(threads);
            for (int i = 0; i < 200; i++) {
                train.forward();
                train.backward();
            }
            int steps = 300;
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                train.forward();
                train.backward();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("threads %d train_images_per_s %.0f (%.2f ms/step)%n", threads, steps * 64 / s, s / steps * 1e3);
        }
        Network one = JaninoLoader.compile(JavaBackend.generate(
                Pipeline.compile(SourceFile.of("lenet5.cnn", text), Options.defaults().withBatch(1).withTraining(false)), "g"))
                .instantiate();
        Models.fill(one, 1);
        for (int i = 0; i < 20000; i++) {
            one.infer();
        }
        int n = 20000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            one.infer();
        }
        System.out.printf("infer_batch1_latency_us %.1f%n", (System.nanoTime() - t0) / 1e3 / n);
    }
}
