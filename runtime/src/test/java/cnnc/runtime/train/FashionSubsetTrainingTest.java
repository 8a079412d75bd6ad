package cnnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cnnc.runtime.data.DataFiles;
import cnnc.runtime.data.DataLocator;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.optim.Sgd;
import cnnc.runtime.testing.SoftmaxNet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole path on real data: locate samples/data, read IDX, train, evaluate, checkpoint. */
@org.junit.jupiter.api.Timeout(60)
class FashionSubsetTrainingTest {

    @TempDir
    Path dir;

    @Test
    void softmaxRegressionLearnsTheSubset() throws IOException {
        String root = System.getProperty("cnnc.root");
        assumeTrue(root != null, "run by Maven, which sets cnnc.root");
        DataFiles files = DataLocator.locate("fashion-mnist", null, dir.resolve("none"), List.of(Paths.get(root)));
        Dataset train = files.train(10);
        Dataset test = files.test(10);
        SoftmaxNet net = new SoftmaxNet(50, 10, 28, 28);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Progress progress = new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false, System::nanoTime);
        List<EpochResult> r = new Trainer(net, new Sgd(net, 0.1, 0.9, 0, false), train).test(test).epochs(3)
                .seed(1).checkpoint(dir.resolve("w.safetensors")).progress(progress).train();
        // 10 classes: chance is 10%; softmax regression reaches about 80% on full Fashion-MNIST
        assertTrue(r.get(2).test().accuracy() > 0.6, r.get(2).test().toString());
        String out = log.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("epoch 1/3  step 4/40  loss "), out);
        assertTrue(out.contains("epoch 3/3: train loss "), out);
        assertTrue(out.contains(" | saved " + dir.resolve("w.safetensors")), out);
        assertEquals(3, r.size());
    }
}
