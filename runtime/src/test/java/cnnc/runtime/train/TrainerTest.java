package cnnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.data.Dataset;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.io.TensorFile;
import cnnc.runtime.optim.Adam;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Schedule;
import cnnc.runtime.optim.Sgd;
import cnnc.runtime.testing.SoftmaxNet;
import cnnc.runtime.testing.Synthetic;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(30)
class TrainerTest {

    static final Dataset TRAIN = Synthetic.rows(244, 3, 4, 4, 1); // 30 batches of 8, 4 images dropped
    static final Dataset TEST = Synthetic.rows(61, 3, 4, 4, 2);   // 7 batches of 8 and a padded one

    @TempDir
    Path dir;

    static SoftmaxNet net() {
        return new SoftmaxNet(8, 3, 4, 4);
    }

    static Function<SoftmaxNet, Optimizer> sgd = n -> new Sgd(n, 0.5, 0.9, 0.001, true);
    static Function<SoftmaxNet, Optimizer> adam = n -> new Adam(n, 0.05, 0.9, 0.999, 1e-8, 0.001);

    static Trainer trainer(SoftmaxNet n, Function<SoftmaxNet, Optimizer> opt, int epochs, long seed) {
        return new Trainer(n, opt.apply(n), TRAIN).test(TEST).epochs(epochs).seed(seed)
                .metadata(Map.of(Trainer.GRAPH_HASH, "g1"));
    }

    @Test
    void theTestNetworksGradientsMatchFiniteDifferences() {
        SoftmaxNet n = net();
        cnnc.runtime.init.Initializers.initialize(n, 3);
        TRAIN.fill(TRAIN.identity(), 0, 8, n.tensor("x"), n.tensor("z"));
        n.forward();
        n.backward();
        float[] w = n.tensor("f.weight");
        for (int i : new int[] {0, 7, 20, 47}) {
            float keep = w[i];
            w[i] = keep + 1e-2f;
            n.infer();
            double up = n.loss();
            w[i] = keep - 1e-2f;
            n.infer();
            double down = n.loss();
            w[i] = keep;
            assertEquals((up - down) / 2e-2, n.tensor("grad.f.weight")[i], 2e-3, "weight " + i);
        }
    }

    @Test
    void learnsSeparableDataWellAboveChance() {
        List<EpochResult> r = trainer(net(), sgd, 4, 1).train();
        assertEquals(4, r.size());
        assertTrue(r.get(3).trainLoss() < 0.5 * r.get(0).trainLoss(),
                "loss " + r.get(0).trainLoss() + " -> " + r.get(3).trainLoss());
        assertTrue(r.get(0).trainLoss() > r.get(1).trainLoss());
        assertEquals(61, r.get(3).test().count());
        assertTrue(r.get(3).test().accuracy() > 0.9, "chance is 1/3: " + r.get(3).test());
        assertTrue(r.get(3).trainAccuracy() > 0.9);
    }

    @Test
    void sameSeedSameBitsDifferentSeedDifferentBits() {
        SoftmaxNet a = net();
        SoftmaxNet b = net();
        SoftmaxNet c = net();
        trainer(a, adam, 2, 5).train();
        trainer(b, adam, 2, 5).train();
        trainer(c, adam, 2, 6).train();
        assertArrayEquals(a.tensor("f.weight"), b.tensor("f.weight"));
        assertArrayEquals(a.tensor("f.running_mean"), b.tensor("f.running_mean"));
        assertFalse(Arrays.equals(a.tensor("f.weight"), c.tensor("f.weight")));
    }

    @Test
    void writesACheckpointEveryEpoch() {
        SoftmaxNet n = net();
        Path ck = dir.resolve("w.safetensors");
        trainer(n, adam, 2, 9).checkpoint(ck).train();
        TensorFile f = Safetensors.read(ck);
        assertEquals("2", f.meta(Checkpoint.EPOCH));
        assertEquals("9", f.meta(Checkpoint.SEED));
        assertEquals("softmax_regression", f.meta(Checkpoint.MODEL));
        assertEquals("adam", f.meta(Checkpoint.OPTIMIZER));
        assertEquals("60", f.meta(Checkpoint.OPTIM_STEP)); // 2 epochs of 30 steps
        assertEquals("g1", f.meta(Trainer.GRAPH_HASH));
        assertEquals(List.of("f.weight", "f.bias", "f.running_mean", "optim.f.weight.m", "optim.f.weight.v",
                "optim.f.bias.m", "optim.f.bias.v"), List.copyOf(f.names()));
        assertArrayEquals(new int[] {3, 16}, f.get("optim.f.weight.v").shape());
        // the checkpoint is a weights file
        SoftmaxNet m = net();
        NetworkFiles.loadWeights(m, ck);
        assertArrayEquals(n.tensor("f.weight"), m.tensor("f.weight"));
        assertArrayEquals(n.tensor("f.running_mean"), m.tensor("f.running_mean"));
    }

    /** A network that records, at every training forward pass, the dropout step it would draw for. */
    static final class StepRecorder implements cnnc.runtime.Network {
        final SoftmaxNet net = net();
        final List<Long> steps = new java.util.ArrayList<>();
        long step;

        @Override public void setStep(long s) { step = s; }
        @Override public void forward() { steps.add(step++); net.forward(); }
        @Override public String name() { return net.name(); }
        @Override public int batch() { return net.batch(); }
        @Override public void infer() { net.infer(); }
        @Override public void backward() { net.backward(); }
        @Override public float loss() { return net.loss(); }
        @Override public float[] tensor(String name) { return net.tensor(name); }
        @Override public int[] path(String name) { return net.path(name); }
        @Override public List<cnnc.runtime.TensorSpec> tensors() { return net.tensors(); }
        @Override public String[] parameterNames() { return net.parameterNames(); }
        @Override public String inputName() { return net.inputName(); }
        @Override public String targetName() { return net.targetName(); }
        @Override public String outputName() { return net.outputName(); }
    }

    @Test
    void everyBatchDrawsDropoutMasksForItsStepAlsoAfterAResume() {
        Path part = dir.resolve("steps.safetensors");
        StepRecorder a = new StepRecorder();
        new Trainer(a, new Sgd(a, 0.5, 0.9, 0.001, true), TRAIN).epochs(2).seed(3).checkpoint(part)
                .metadata(Map.of(Trainer.GRAPH_HASH, "g1")).train();
        assertEquals(java.util.stream.LongStream.range(0, 60).boxed().toList(), a.steps, "epoch·30 + step, 30 steps an epoch");
        StepRecorder b = new StepRecorder();
        new Trainer(b, new Sgd(b, 0.5, 0.9, 0.001, true), TRAIN).epochs(3).resume(part)
                .metadata(Map.of(Trainer.GRAPH_HASH, "g1")).train();
        assertEquals(java.util.stream.LongStream.range(60, 90).boxed().toList(), b.steps, "the resumed epoch 3 goes on at step 60");
    }

    @Test
    void resumingGivesTheBitsOfAnUninterruptedRun() throws IOException {
        for (Function<SoftmaxNet, Optimizer> opt : List.of(sgd, adam)) {
            Path whole = dir.resolve("whole.safetensors");
            Path part = dir.resolve("part.safetensors");
            SoftmaxNet a = net();
            trainer(a, opt, 4, 3).checkpoint(whole).train();

            trainer(net(), opt, 2, 3).checkpoint(part).train();
            SoftmaxNet b = net();
            List<EpochResult> rest = trainer(b, opt, 4, 3).resume(part).train(); // saves to part as well
            assertEquals(List.of(3, 4), List.of(rest.get(0).epoch(), rest.get(1).epoch()));
            assertArrayEquals(a.tensor("f.weight"), b.tensor("f.weight"));
            assertArrayEquals(a.tensor("f.bias"), b.tensor("f.bias"));
            assertArrayEquals(a.tensor("f.running_mean"), b.tensor("f.running_mean"));
            assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(part)); // optimizer state too
        }
    }

    /**
     * A cosine schedule runs over the whole run's steps: a run stopped after epoch 2 of 4 and
     * resumed gives the bits of one that never stopped, and both differ from a constant rate.
     */
    @Test
    void aCosineScheduleSurvivesAResumeAndChangesTheRun() {
        Path whole = dir.resolve("cos-whole.safetensors");
        Path part = dir.resolve("cos-part.safetensors");
        SoftmaxNet a = net();
        trainer(a, sgd, 4, 3).schedule(Schedule.COSINE).checkpoint(whole).train();
        SoftmaxNet constant = net();
        trainer(constant, sgd, 4, 3).train();
        assertFalse(Arrays.equals(a.tensor("f.weight"), constant.tensor("f.weight")));

        // stopped by its progress output right after epoch 2's checkpoint
        PrintStream stop = new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public void println(String line) {
                if (line.startsWith("epoch 2/4")) {
                    throw new IllegalStateException("stopped");
                }
            }
        };
        assertThrows(IllegalStateException.class, () -> trainer(net(), sgd, 4, 3).schedule(Schedule.COSINE).checkpoint(part)
                .progress(new Progress(stop, false, System::nanoTime)).train());
        SoftmaxNet b = net();
        trainer(b, sgd, 4, 3).schedule(Schedule.COSINE).resume(part).train();
        assertArrayEquals(a.tensor("f.weight"), b.tensor("f.weight"));
        assertArrayEquals(a.tensor("f.bias"), b.tensor("f.bias"));
    }

    @Test
    void resumingAFinishedRunDoesNothing() {
        Path ck = dir.resolve("w.safetensors");
        trainer(net(), sgd, 1, 3).checkpoint(ck).train();
        assertEquals(List.of(), trainer(net(), sgd, 1, 3).resume(ck).train());
    }

    @Test
    void resumeRefusesAnotherOptimizerOrGraph() {
        Path ck = dir.resolve("w.safetensors");
        trainer(net(), sgd, 1, 3).checkpoint(ck).train();
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> trainer(net(), adam, 2, 3).resume(ck).train());
        assertEquals(ck + ": checkpoint of a sgd run; this run uses adam", e.getMessage());
        SafetensorsException g = assertThrows(SafetensorsException.class,
                () -> new Trainer(net(), new Sgd(net(), 0.5, 0.9, 0.001, true), TRAIN).epochs(2)
                        .metadata(Map.of(Trainer.GRAPH_HASH, "g2")).resume(ck).train());
        assertTrue(g.getMessage().contains("graph_hash g1, the model now has g2"), g.getMessage());
    }

    @Test
    void aNanLossStopsTrainingAndKeepsTheLastCheckpoint() throws IOException {
        Path ck = dir.resolve("w.safetensors");
        trainer(net(), adam, 1, 4).checkpoint(ck).train();
        byte[] afterEpoch1 = Files.readAllBytes(ck);

        SoftmaxNet poisoned = net();
        poisoned.poisonLossAt = 45; // epoch 2, step 15 (30 steps an epoch)
        Path ck2 = dir.resolve("w2.safetensors");
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer(poisoned, adam, 3, 4).checkpoint(ck2).train());
        assertTrue(e.getMessage().startsWith("training diverged in epoch 2 at step 15/30: the loss is NaN. "
                + "The last good checkpoint, " + ck2 + " (after epoch 1), is unchanged."), e.getMessage());
        assertArrayEquals(afterEpoch1, Files.readAllBytes(ck2)); // what epoch 1 wrote, untouched since

        SoftmaxNet resumed = net();
        resumed.poisonLossAt = 1;
        assertThrows(TrainingDivergedException.class, () -> trainer(resumed, adam, 3, 4).resume(ck).train());
        assertArrayEquals(afterEpoch1, Files.readAllBytes(ck));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count()); // no temporary files
        }
    }

    @Test
    void aNanWeightWithAFiniteLossIsCaughtBeforeTheCheckpoint() throws IOException {
        Path ck = dir.resolve("w.safetensors");
        SoftmaxNet n = net();
        n.poisonWeightAt = 60; // the last backward of epoch 2
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer(n, sgd, 3, 4).checkpoint(ck).train());
        assertTrue(e.getMessage().startsWith("training diverged in epoch 2: f.weight[0] is NaN."), e.getMessage());
        assertEquals("1", Safetensors.read(ck).meta(Checkpoint.EPOCH));
    }

    @Test
    void aHugeLearningRateDivergesBeforeAnyCheckpoint() {
        Path ck = dir.resolve("w.safetensors");
        SoftmaxNet n = net();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(n, new Sgd(n, 1e38, 0, 0, false), TRAIN).epochs(1).checkpoint(ck).train());
        assertTrue(e.getMessage().contains("No checkpoint was written"), e.getMessage());
        assertFalse(Files.exists(ck));
    }

    @Test
    void refusesATrainingSetSmallerThanABatch() {
        SoftmaxNet n = net();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(n, new Sgd(n, 0.1, 0, 0, false), TRAIN.head(7)).train());
        assertEquals("the training set has 7 images, fewer than one batch of 8", e.getMessage());
    }

    @Test
    void withoutInitializationTrainsTheGivenWeights() {
        SoftmaxNet a = net();
        Arrays.fill(a.tensor("f.weight"), 0.25f);
        new Trainer(a, new Sgd(a, 1e-30, 0, 0, false), TRAIN).initialize(false, Map.of()).train();
        assertEquals(0.25f, a.tensor("f.weight")[5]); // a negligible learning rate leaves them as they were
    }
}
