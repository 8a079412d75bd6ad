package cnnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec.Role;
import cnnc.runtime.testing.BufferNetwork;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(30)
class NetworkFilesTest {

    @TempDir
    Path dir;

    static BufferNetwork lenetLike() {
        return new BufferNetwork("lenet", 2)
                .add("x", Role.INPUT, DType.F32, 2, 1, 4, 4)
                .add("z", Role.TARGET, DType.F32, 2, 3, 1, 1)
                .param("c1.weight", 6, 1, 5, 5)
                .param("c1.bias", 6)
                .param("b1.gamma", 6)
                .add("b1.running_mean", Role.STATE, DType.F32, 6)
                .add("y", Role.ACTIVATION, DType.F32, 2, 3, 1, 1)
                .add("path.p1", Role.PATH, DType.I32, 2, 6, 2, 2);
    }

    @Test
    void weightsRoundTripThroughAFile() {
        BufferNetwork a = lenetLike().fillDistinct(0.5f);
        Path p = dir.resolve("w.safetensors");
        NetworkFiles.saveWeights(a, p, Map.of("graph_hash", "h1"));
        TensorFile f = Safetensors.read(p);
        // only parameters and state, in the network's order
        assertEquals(List.of("c1.weight", "c1.bias", "b1.gamma", "b1.running_mean"), List.copyOf(f.names()));
        assertEquals("lenet", f.meta("model"));
        assertEquals("h1", f.meta("graph_hash"));

        BufferNetwork b = lenetLike();
        Map<String, String> meta = NetworkFiles.loadWeights(b, p);
        assertEquals("h1", meta.get("graph_hash"));
        for (String name : f.names()) {
            assertArrayEquals(a.tensor(name), b.tensor(name), name);
        }
        assertEquals(0f, b.tensor("x")[0]); // inputs are not weights
    }

    @Test
    void reportsAWrongShapeWithBothShapes() {
        BufferNetwork other = new BufferNetwork("lenet", 2).param("c1.weight", 6, 1, 3, 3).param("c1.bias", 6)
                .param("b1.gamma", 6).add("b1.running_mean", Role.STATE, DType.F32, 6);
        Path p = dir.resolve("w.safetensors");
        NetworkFiles.saveWeights(other, p, Map.of());
        BufferNetwork net = lenetLike().fillDistinct(1);
        Map<String, float[]> before = net.copyFloats();
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> NetworkFiles.loadWeights(net, p));
        assertEquals(p + ": weights for a different graph of lenet: c1.weight: file has [6, 1, 3, 3], model expects [6, 1, 5, 5]",
                e.getMessage());
        // nothing was loaded
        for (Map.Entry<String, float[]> en : before.entrySet()) {
            assertArrayEquals(en.getValue(), net.tensor(en.getKey()), en.getKey());
        }
    }

    @Test
    void aFileOfAnotherGraphNamesBothGraphsAndTheFirstDifference() {
        BufferNetwork other = new BufferNetwork("alexnet", 2).param("c1.weight", 6, 1, 3, 3).param("c1.bias", 6)
                .param("b1.gamma", 6).add("b1.running_mean", Role.STATE, DType.F32, 6);
        Path p = dir.resolve("w.safetensors");
        NetworkFiles.saveWeights(other, p, Map.of(NetworkFiles.GRAPH_HASH, "sha256:aaaaaaaaaaaaaaaaaaaa"));
        BufferNetwork hashed = new BufferNetwork("lenet", 2) {
            @Override
            public String graphHash() {
                return "sha256:bbbbbbbbbbbbbbbbbbbb";
            }
        }.param("c1.weight", 6, 1, 5, 5).param("c1.bias", 6).param("b1.gamma", 6)
                .add("b1.running_mean", Role.STATE, DType.F32, 6);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> NetworkFiles.loadWeights(hashed, p));
        assertEquals(p + ": weights of model alexnet, not lenet (graph_hash aaaaaaaaaaaa..., this network's bbbbbbbbbbbb...): "
                + "c1.weight: file has [6, 1, 3, 3], model expects [6, 1, 5, 5]", e.getMessage());
    }

    @Test
    void savedWeightsCarryTheNetworksGraphHash() {
        BufferNetwork hashed = new BufferNetwork("lenet", 2) {
            @Override
            public String graphHash() {
                return "sha256:cc";
            }
        }.param("c1.weight", 2);
        Path p = dir.resolve("h.safetensors");
        NetworkFiles.saveWeights(hashed, p, Map.of());
        assertEquals("sha256:cc", Safetensors.read(p).meta(NetworkFiles.GRAPH_HASH));
        assertEquals("lenet", Safetensors.read(p).meta(NetworkFiles.MODEL));
    }

    @Test
    void reportsMissingExtraAndDtypeProblemsTogether() {
        TensorFile f = NetworkFiles.weights(lenetLike());
        TensorFile g = new TensorFile();
        g.put("c1.weight", f.get("c1.weight"));
        g.put("c1.bias", Tensor.i32(new int[] {6}, new int[6]));
        g.put("b1.running_mean", f.get("b1.running_mean"));
        g.put("c9.weight", Tensor.f32(new int[] {1}, new float[1]));
        Path p = dir.resolve("bad.safetensors");
        Safetensors.write(p, g);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> NetworkFiles.loadWeights(lenetLike(), p));
        assertEquals(p + ": c1.bias: file has I32 [6], model expects F32 [6]; "
                + "b1.gamma: missing from the file (model lenet expects F32 [6]); "
                + "c9.weight: in the file but not in model lenet", e.getMessage());
    }

    @Test
    void optimizerStateInACheckpointIsNotAnExtraTensor() {
        TensorFile f = NetworkFiles.weights(lenetLike().fillDistinct(2));
        f.put("optim.c1.bias.v", Tensor.f32(new int[] {6}, new float[6]));
        Path p = dir.resolve("ckpt.safetensors");
        Safetensors.write(p, f);
        BufferNetwork b = lenetLike();
        NetworkFiles.loadWeights(b, p);
        assertArrayEquals(f.get("c1.bias").floats(), b.tensor("c1.bias"));
    }

    @Test
    void snapshotHasEveryTensorWithItsDtype() {
        BufferNetwork net = lenetLike().fillDistinct(3);
        net.path("path.p1")[5] = 17;
        Path p = dir.resolve("all.safetensors");
        Safetensors.write(p, NetworkFiles.snapshot(net));
        TensorFile f = Safetensors.read(p);
        assertEquals(net.tensors().size(), f.names().size());
        assertEquals(DType.I32, f.get("path.p1").dtype());
        assertEquals(17, f.get("path.p1").ints()[5]);
        assertArrayEquals(new int[] {2, 6, 2, 2}, f.get("path.p1").shape());
        assertArrayEquals(net.tensor("grad.c1.weight"), f.get("grad.c1.weight").floats());
    }

    @Test
    void inputsMayDropTrailingOnes() {
        BufferNetwork net = lenetLike();
        TensorFile f = new TensorFile();
        f.put("x", Tensor.f32(new int[] {2, 1, 4, 4}, new float[32]));
        f.put("z", Tensor.f32(new int[] {2, 3}, new float[] {1, 0, 0, 0, 0, 1}));
        NetworkFiles.loadTensors(net, f, dir.resolve("in.safetensors"), "x", "z");
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, net.tensor("z"));

        f.put("x", Tensor.f32(new int[] {2, 16}, new float[32])); // not trailing ones: refused
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> NetworkFiles.loadTensors(net, f, dir.resolve("in.safetensors"), "x"));
        assertTrue(e.getMessage().endsWith("x: file has [2, 16], model expects [2, 1, 4, 4]"), e.getMessage());
    }

    @Test
    void trailingOnesRule() {
        assertTrue(NetworkFiles.sameUpToTrailingOnes(new int[] {4, 10}, new int[] {4, 10, 1, 1}));
        assertTrue(NetworkFiles.sameUpToTrailingOnes(new int[] {4, 10, 1}, new int[] {4, 10, 1, 1}));
        assertTrue(!NetworkFiles.sameUpToTrailingOnes(new int[] {4, 10}, new int[] {4, 10, 2, 1}));
        assertTrue(!NetworkFiles.sameUpToTrailingOnes(new int[] {4, 10, 1, 1, 1}, new int[] {4, 10, 1, 1}));
        assertTrue(!NetworkFiles.sameUpToTrailingOnes(new int[] {4, 9}, new int[] {4, 10, 1, 1}));
    }
}
