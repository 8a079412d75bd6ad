package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batches below the thread count (latency: one image at a time) still split every heavy step over
 * chunks that each own their outputs: the direct kernel over groups of output channels
 * ({@link VectorConvEmitter#channelGroups}), Winograd over blocks of tile rows and its weight
 * transform over output channels. The results must not depend on how many threads run those
 * chunks: 1, 2 and 3 threads give the same bits, for the inference class and for training steps,
 * at batch 1 and 2 (Winograd on the 32x32 layer, the pass's choice from 1024 output pixels).
 */
@org.junit.jupiter.api.Timeout(600)
class SmallBatchThreadsTest {

    static final String NET = """
            network small {
                input x : 3x32x32;
                target z : 10;
                c1 = conv(x, 16, kernel: 3x3);                   // direct: 3 input channels
                n1 = bn(c1, per: channel);
                r1 = relu(n1);
                c2 = conv(r1, 16, kernel: 3x3, bias: false);     // Winograd F(2x2,3x3): 16 channels, 32x32
                r2 = relu(c2);
                p2 = maxpool(r2, window: 2x2);
                c3 = conv(p2, 24, kernel: 3x3, algo: direct);    // 16x16: channel groups of 8 (an inference build would take Winograd)
                r3 = relu(c3);
                f = full(r3, 10);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    @ParameterizedTest(name = "batch {0}, training {1}")
    @CsvSource({"1, false", "1, true", "2, false", "2, true"})
    void identicalBitsForOneTwoAndThreeThreads(int batch, boolean training) {
        Model m = Pipeline.compile(SourceFile.of("small.cnn", NET), Options.defaults().withBatch(batch).withTraining(training));
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", true);
        assertTrue(src.text().contains("conv forward 'c2' (small.cnn:7): winograd"), "c2 runs Winograd at batch " + batch);
        String c3 = src.text().lines().filter(l -> l.contains("conv forward 'c3' (small.cnn:10): ")).findFirst().orElseThrow();
        assertTrue(c3.contains("direct, Vector API, register tile") && c3.endsWith(", " + 3 * batch + " chunks"),
                "c3's 24 channels split into 3 groups of 8 per sample: " + c3);
        JaninoLoader.Compiled c = JaninoLoader.compile(src);
        List<Network> nets = List.of(c.instantiate(), c.instantiate(), c.instantiate());
        for (int i = 0; i < nets.size(); i++) {
            Network net = nets.get(i);
            Models.fill(net, 23);
            net.setThreads(i + 1);
            if (training) {
                RuntimeBehaviourTest.train(net, 2);
            } else {
                net.infer();
            }
        }
        for (TensorSpec s : nets.get(0).tensors()) {
            if (s.dtype() == DType.F32) {
                for (int i = 1; i < nets.size(); i++) {
                    assertEquals(0, Arrays.compare(nets.get(0).tensor(s.name()), nets.get(i).tensor(s.name())),
                            s.name() + " differs with " + (i + 1) + " threads at batch " + batch);
                }
            }
        }
        nets.forEach(Network::close);
    }
}
