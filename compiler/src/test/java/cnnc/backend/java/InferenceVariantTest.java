package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The inference variant ({@code cnnc generate --inference}) computes what the training variant's
 * {@code infer()} computes, with the same weights and running statistics, while leaving out every
 * buffer that only the backward pass needs.
 */
@org.junit.jupiter.api.Timeout(60)
class InferenceVariantTest {

    static final String NET = """
            network v {
                input x : 2x8x8;
                target z : 5;
                c1 = conv(x, 4, kernel: 3x3);
                b1 = bn(c1, per: channel);
                r1 = relu(b1);
                p1 = maxpool(r1, window: 3x3, stride: 2x2, ceil: true);
                c2 = conv(p1, 3, kernel: 2x2, padding: valid);
                b2 = bn(c2);
                a2 = avgpool(b2, window: 2x2);
                f = full(a2, 5);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    static Network build(int batch, boolean training) {
        Model m = Pipeline.compile(SourceFile.of("v.cnn", NET), Options.defaults().withBatch(batch).withTraining(training));
        return Models.network(m);
    }

    @Test
    void infersWhatTheTrainingVariantInfers() {
        Network train = build(3, true);
        Models.fill(train, 7);
        train.forward(); // moves the running statistics away from 0 and 1
        train.backward();
        train.forward();
        for (int batch : new int[] {3, 1}) {
            Network inf = build(batch, false);
            for (TensorSpec s : Networks.persistent(train)) {
                System.arraycopy(train.tensor(s.name()), 0, inf.tensor(s.name()), 0, s.size());
            }
            int per = inf.tensor("x").length / batch;
            System.arraycopy(train.tensor("x"), 0, inf.tensor("x"), 0, per * batch);
            train.infer();
            inf.infer();
            float[] want = Arrays.copyOf(train.tensor("y"), inf.tensor("y").length);
            assertArrayEquals(want, inf.tensor("y"), "batch " + batch);
            float[] again = inf.tensor("y").clone();
            inf.forward(); // the inference variant has no training mode
            assertArrayEquals(again, inf.tensor("y"));
        }
    }

    @Test
    void leavesOutWhatOnlyTheBackwardPassNeeds() {
        Network inf = build(1, false);
        Set<TensorSpec.Role> roles = inf.tensors().stream().map(TensorSpec::role).collect(Collectors.toSet());
        assertFalse(roles.contains(TensorSpec.Role.PATH), roles.toString());
        assertFalse(roles.contains(TensorSpec.Role.SENSITIVITY), roles.toString());
        assertFalse(roles.contains(TensorSpec.Role.GRADIENT), roles.toString());
        assertThrows(IllegalArgumentException.class, () -> inf.path("path.p1"));
        assertThrows(IllegalStateException.class, inf::backward);
        String src = JavaBackend.generate(Pipeline.compile(SourceFile.of("v.cnn", NET),
                Options.defaults().withBatch(1).withTraining(false)), "g").text();
        assertFalse(src.contains("batch_mean"), "no saved bn statistics");
        assertFalse(src.contains("boolean training") || src.contains("if (training)"), "no training flag");
        assertTrue(src.contains("inference variant"));
    }

    @Test
    void bothVariantsCarryTheGraphHashOfTheForwardGraph() {
        Model training = Pipeline.compile(SourceFile.of("v.cnn", NET), Options.defaults().withBatch(4));
        Network a = build(4, true);
        Network b = build(1, false);
        assertEquals(GraphHash.of(training), a.graphHash());
        assertEquals(a.graphHash(), b.graphHash(), "the batch and the variant do not change the graph's identity");
    }
}
