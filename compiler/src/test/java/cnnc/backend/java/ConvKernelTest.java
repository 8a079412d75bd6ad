package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The register-tiled Vector API convolution kernels ({@link ConvTiles}, {@link VectorConvEmitter})
 * with every tile forced in turn, against the float64 interpreter ({@code cnnc.interp}, forward and
 * backward): odd map sizes that leave partial pixel blocks, channel counts that leave a narrower
 * channel block, pads from 0 to the kernel size minus one on each side (anchors inside and at the
 * edge of the window, padding full and valid), and, on the kernels' fallback, an exclave anchor.
 * Strided convolutions ({@link #STRIDED}: forward, backward-data and weight gradient on stride
 * phases) with kernels larger, equal to and smaller than the stride (a phase without taps),
 * different strides down and across, and pads on one side only.
 * Batch 3 cuts a step into channel groups, batch 9 into samples.
 */
@org.junit.jupiter.api.Timeout(900)
class ConvKernelTest {

    static final String CONVS = """
            network convs {
                input x : 3x11x13;
                target z : 4;
                a = conv(x, 8, kernel: 3x3);                       // same: pads 1 on every side, odd 11x13 map
                b = conv(a, 6, kernel: 5x3, anchor: (0, 2));       // anchor on the window's edge: pads (0, 4) rows, (2, 0) columns
                c = conv(b, 9, kernel: 2x2, padding: full);        // even kernel, pads of the kernel size minus one
                d = conv(c, 4, kernel: 1x1, bias: false);          // 1x1: one tap
                e = conv(d, 8, kernel: 3x3, padding: valid);       // no pads
                g = conv(e, 3, kernel: 3x3, anchor: (-1, 1));      // exclave anchor: the scalar kernel
                h = conv(g, 3, kernel: 3x3, stride: 2x2);          // stride 2: the stride phases
                r = relu(h);
                f = full(r, 4);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    static final String STRIDED = """
            network strided {
                input x : 3x23x21;
                target z : 4;
                a = conv(x, 8, kernel: 7x7, stride: 2x2);                  // a 7x7/2 stem: phases of 4x4, 4x3, 3x4, 3x3 taps
                b = conv(a, 6, kernel: 3x3, stride: 2x1);                  // strides that differ down and across
                c = conv(b, 5, kernel: 1x1, stride: 2x2, bias: false);     // a kernel smaller than the stride: one phase read
                d = conv(c, 4, kernel: 2x2, stride: 1x2, padding: valid);  // even kernel, no pads
                e = conv(b, 4, kernel: 5x5, stride: 3x3, anchor: (0, 4));  // stride 3, pads on one side each way
                s = conv(x, 8, kernel: 7x7);                               // stride 1, wide rows of 615 pixels: helpers on segments
                f1 = full(d, 4);
                f2 = full(e, 4);
                f3 = full(s, 4);
                f12 = add(f1, f2);
                f = add(f12, f3);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    /** Every pixel-vector count, narrow and wide channel blocks, and blocks that do not divide the channel counts. */
    static final List<ConvTiles.Tile> TILES = List.of(new ConvTiles.Tile(1, 1), new ConvTiles.Tile(1, 8), new ConvTiles.Tile(2, 3),
            new ConvTiles.Tile(3, 4), new ConvTiles.Tile(4, 5), new ConvTiles.Tile(4, 6), new ConvTiles.Tile(2, 8));

    @AfterEach
    void reset() {
        ConvTiles.override = null;
        ConvTiles.gradOverride = null;
    }

    static Stream<Arguments> tiles() {
        List<Arguments> out = new ArrayList<>();
        int[] grads = {1, 2, 4, 8, 3};
        for (int batch : new int[] {3, 9}) {
            out.add(Arguments.of(null, null, batch));
            for (int i = 0; i < TILES.size(); i++) {
                out.add(Arguments.of(TILES.get(i), grads[i % grads.length], batch));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "tile {0}, conv_grad channels {1}, batch {2}")
    @MethodSource("tiles")
    void everyTileMatchesTheFloat64Interpreter(ConvTiles.Tile tile, Integer gradK, int batch) {
        matchesTheFloat64Interpreter(CONVS, tile, gradK, batch);
    }

    @ParameterizedTest(name = "tile {0}, conv_grad channels {1}, batch {2}")
    @MethodSource("tiles")
    void stridedConvolutionsMatchTheFloat64Interpreter(ConvTiles.Tile tile, Integer gradK, int batch) {
        Model m = Models.model("strided.cnn", STRIDED, batch);
        String text = JavaBackend.generate(m, "cnnc.generated", true).text();
        if (batch >= 8) { // 8 channels a chunk: b = 8, segments of at most 512 pixels
            assertTrue(text.contains("the helpers in turn on segments of"), "s runs its helpers segment by segment");
        }
        for (String node : List.of("a", "b", "c", "d", "e", "s")) {
            for (String step : List.of("forward", "gradient", "backward-data")) {
                if (!(List.of("a", "s").contains(node) && step.equals("backward-data"))) {  // a and s read the input: no conv_bf
                    String kernel = kernelOf(text, "conv " + step + " '" + node + "'");
                    assertTrue(kernel.startsWith("direct"), node + " " + step + ": " + kernel);
                }
            }
        }
        matchesTheFloat64Interpreter(STRIDED, tile, gradK, batch);
    }

    /** The kernel a generated class's Javadoc names for {@code step} ("conv forward 'a'"). */
    static String kernelOf(String text, String step) {
        int i = text.indexOf(step + " (");
        assertTrue(i >= 0, "no " + step + " in the class");
        int colon = text.indexOf("): ", i);
        return text.substring(colon + 3, text.indexOf('\n', colon));
    }

    private void matchesTheFloat64Interpreter(String source, ConvTiles.Tile tile, Integer gradK, int batch) {
        ConvTiles.override = tile;
        ConvTiles.gradOverride = gradK;
        Model m = Models.model(source.contains("network strided") ? "strided.cnn" : "convs.cnn", source, batch);
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", true);
        if (tile != null) {
            assertTrue(src.text().contains("register tile " + tile.p() * VectorConvEmitter.VL + " pixels x "),
                    "the forced tile reaches the kernels");
        }
        Network net = JaninoLoader.compile(src).instantiate();
        Models.fill(net, 13);
        net.setThreads(2);
        int compared = Models.matchesInterpreter(m, net, "tile " + tile + ", batch " + batch, 1e-4);
        assertTrue(compared >= 15, "only " + compared + " tensors compared");
        net.close();
    }

    /** The tiles the cost model picks for the sizes of real networks, and that each is within the register budget. */
    @Test
    void theCostModelPicksFmaBoundTilesAtRealSizes() {
        for (long length : new long[] {71, 287, 1055, 3135}) {
            for (int channels : new int[] {8, 64, 256}) {
                ConvTiles.Tile t = ConvTiles.choose(length, channels);
                assertTrue(t.p() * t.b() <= ConvTiles.MAX_ACC, t.toString());
                assertTrue(t.p() * t.b() >= Math.min(12, channels), length + " pixels, " + channels + " channels: " + t
                        + " would be bound by loads");
            }
        }
        ConvTiles.GradTile g = ConvTiles.gradient(256, 9);
        assertTrue(g.k() >= 2 && 256 / g.k() >= 8, g.toString());
        assertEquals(new ConvTiles.GradTile(1, 9), ConvTiles.gradient(6, 9), "6 channels: one per chunk, so 6 chunks");
    }

    /** Bit-identical results for 1, 2 and 3 threads on the tiled kernels, over a few SGD steps. */
    @Test
    void identicalBitsForAnyThreadCount() {
        identicalBits(Models.model("convs.cnn", CONVS, 9));
        identicalBits(Models.model("strided.cnn", STRIDED, 9));
        identicalBits(Models.model("strided.cnn", STRIDED, 3));
    }

    static void identicalBits(Model m) {
        JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", true));
        List<Network> nets = List.of(c.instantiate(), c.instantiate(), c.instantiate());
        for (int i = 0; i < nets.size(); i++) {
            Models.fill(nets.get(i), 17);
            nets.get(i).setThreads(i + 1);
            RuntimeBehaviourTest.train(nets.get(i), 3);
        }
        for (TensorSpec s : nets.get(0).tensors()) {
            if (s.dtype() == DType.F32) {
                for (int i = 1; i < nets.size(); i++) {
                    assertEquals(0, Arrays.compare(nets.get(0).tensor(s.name()), nets.get(i).tensor(s.name())),
                            s.name() + " differs with " + (i + 1) + " threads");
                }
            }
        }
        nets.forEach(Network::close);
    }
}
