package cnnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec.Role;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.optim.Adam;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Sgd;
import cnnc.runtime.testing.BufferNetwork;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(30)
class CheckpointTest {

    @TempDir
    Path dir;

    static BufferNetwork net(String name) {
        return new BufferNetwork(name, 1).param("c.weight", 2, 1, 1, 2).param("c.bias", 2)
                .add("b.running_var", Role.STATE, DType.F32, 2);
    }

    @Test
    void restoresWeightsStateAndStepCount() {
        BufferNetwork a = net("m").fillDistinct(1);
        Adam oa = new Adam(a, 0.1, 0.9, 0.999, 1e-8, 0);
        oa.step();
        oa.step();
        Path p = dir.resolve("c.safetensors");
        Checkpoint.save(p, a, oa, Map.of("epoch", "7"));

        BufferNetwork b = net("m");
        Adam ob = new Adam(b, 0.1, 0.9, 0.999, 1e-8, 0);
        Map<String, String> meta = Checkpoint.load(p, b, ob);
        assertEquals("7", meta.get("epoch"));
        assertEquals(2, ob.steps());
        for (String w : new String[] {"c.weight", "c.bias", "b.running_var"}) {
            assertArrayEquals(a.tensor(w), b.tensor(w), w);
        }
        for (String slot : oa.slots()) {
            assertArrayEquals(oa.state("c.weight", slot), ob.state("c.weight", slot), slot);
        }
    }

    @Test
    void refusesStateOfAnotherOptimizerSetupAndChangesNothing() {
        BufferNetwork a = net("m").fillDistinct(1);
        Path withMomentum = dir.resolve("mom.safetensors");
        Checkpoint.save(withMomentum, a, new Sgd(a, 0.1, 0.9, 0, false), Map.of());
        Path without = dir.resolve("plain.safetensors");
        Checkpoint.save(without, a, new Sgd(a, 0.1, 0, 0, false), Map.of());

        BufferNetwork b = net("m");
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> Checkpoint.load(withMomentum, b, new Sgd(b, 0.1, 0, 0, false)));
        assertEquals(withMomentum + ": optim.c.weight.v: optimizer state this sgd(lr: 0.1, momentum: 0, decay: 0,"
                + " nesterov: false) does not have; optim.c.bias.v: optimizer state this sgd(lr: 0.1, momentum: 0,"
                + " decay: 0, nesterov: false) does not have", e.getMessage());
        SafetensorsException f = assertThrows(SafetensorsException.class,
                () -> Checkpoint.load(without, b, new Sgd(b, 0.1, 0.5, 0, false)));
        assertEquals(without + ": optim.c.weight.v: missing from the checkpoint; optim.c.bias.v: missing from the"
                + " checkpoint", f.getMessage());
        assertArrayEquals(new float[4], b.tensor("c.weight")); // nothing loaded
    }

    @Test
    void refusesAWeightsFileAndAnotherModel() {
        BufferNetwork a = net("m");
        Path weights = dir.resolve("w.safetensors");
        NetworkFiles.saveWeights(a, weights, Map.of());
        Optimizer o = new Sgd(a, 0.1, 0, 0, false);
        assertEquals(weights + ": no optimizer state (a weights file, not a checkpoint)",
                assertThrows(SafetensorsException.class, () -> Checkpoint.load(weights, a, o)).getMessage());
        Path ck = dir.resolve("c.safetensors");
        Checkpoint.save(ck, a, o, Map.of());
        BufferNetwork other = net("other");
        assertEquals(ck + ": checkpoint of model m, not other", assertThrows(SafetensorsException.class,
                () -> Checkpoint.load(ck, other, new Sgd(other, 0.1, 0, 0, false))).getMessage());
    }
}
