package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Winograd F(2x2, 3x3) and F(4x4, 3x3) kernels ({@link WinogradEmitter}), forward and
 * backward-data, and the F(2x2, 3x3) weight gradient ({@link WinogradGradEmitter}, its partial sums
 * over uneven sample ranges cut into several blocks too), against the float64 interpreter: odd and even maps (a last tile row or column with
 * one to m-1 real pixels), every pad from 0 to 2 on each side (same, valid, full and anchors on the
 * window's corners), bias and none, channel counts the GEMM's channel block does not divide, tile
 * rows narrower than a vector, and a cifar_vgg-sized layer (64 channels, 16x16) cut into several
 * blocks; bit-identical for 1, 2 and 3 threads; the transform matrices themselves in float64.
 */
@org.junit.jupiter.api.Timeout(600)
class WinogradTest {

    static final String WINO = """
            network wino {
                input x : 5x11x9;
                target z : 4;
                a = conv(x, 17, kernel: 3x3, algo: winograd);                      // same on an odd 11x9 map
                b = conv(a, 12, kernel: 3x3, anchor: (0, 0), algo: winograd);     // pads (0, 2) rows, (0, 2) columns
                c = conv(b, 9, kernel: 3x3, anchor: (2, 1), bias: false, algo: winograd);  // pads (2, 0), (1, 1)
                d = conv(c, 8, kernel: 3x3, padding: full, algo: winograd);       // pads 2: a 13x11 output
                e = conv(d, 6, kernel: 3x3, padding: valid, algo: winograd);      // no pads, 11x9
                g = conv(e, 3, kernel: 3x3, padding: valid, algo: winograd);      // 9x7 from 6 channels
                r = relu(g);
                f = full(r, 4);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    /** A cifar_vgg-like layer pair: 64 channels on 16x16 maps, several blocks of tile rows per step. */
    static final String VGG = """
            network vgg {
                input x : 32x16x16;
                target z : 10;
                a = conv(x, 64, kernel: 3x3, bias: false);
                r = relu(a);
                b = conv(r, 64, kernel: 3x3);
                p = maxpool(b, window: 4x4);
                f = full(p, 10);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    @AfterEach
    void reset() {
        ConvTiles.override = null;
        WinogradGradEmitter.blockOverride = null;
    }

    /** {@code text} with every {@code algo: winograd} forcing the tile {@code m}. */
    static String tile(String text, int m) {
        return text.replace("algo: winograd", "algo: winograd" + m);
    }

    @ParameterizedTest(name = "batch {0}, F({1}x{1},3x3)")
    @CsvSource({"1, 2", "3, 2", "1, 4", "3, 4"})
    void everyPadAndOddMapMatchesTheFloat64Interpreter(int batch, int tile) {
        Model m = Models.model("wino.cnn", tile(WINO, tile), batch);
        assertEquals(6, winograd(m, tile), "every conv and conv_bf of wino is Winograd: 6 convs, 5 conv_bf (x has none)");
        compare(m, 1e-4, tile);
    }

    /** Maps of 5 to 14 pixels a side: every remainder of 4 (partial F(4x4) tiles of 1, 2 and 3 rows and columns) and more than one tile row per vector. */
    @ParameterizedTest(name = "{0}x{1} map")
    @CsvSource({"5, 14", "6, 7", "13, 10", "12, 9"})
    void f4PartialTilesMatchTheFloat64Interpreter(int h, int w) {
        String text = """
                network part {
                    input x : 6x%dx%d;
                    target z : 3;
                    a = conv(x, 10, kernel: 3x3, algo: winograd4);
                    b = conv(a, 9, kernel: 3x3, anchor: (2, 0), algo: winograd4);
                    f = full(b, 3);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                }
                """.formatted(h, w);
        Model m = Models.model("part.cnn", text, 2);
        assertEquals(2, winograd(m, 4));
        compare(m, 1e-4, 4);
    }

    @ParameterizedTest(name = "F({0}x{0},3x3)")
    @ValueSource(ints = {2, 4})
    void aCifarSizedLayerMatchesTheFloat64Interpreter(int tile) {
        Model m = Models.model("vgg.cnn", vgg(tile), 4);
        assertEquals(2, winograd(m, tile));
        compare(m, 1e-4, tile);
    }

    /** The cost model's own choice on cifar_vgg-like 16x16 maps: Winograd F(4x4) from 16384 output pixels, F(2x2) below. */
    @Test
    void theCostModelPicksF4OnSixteenBySixteen() {
        assertEquals(2, winograd(Models.model("vgg.cnn", VGG, 64), 4), "the cost model picks F(4x4) for 32 and 64 channels on 16x16 at batch 64");
        assertEquals(2, winograd(Models.model("vgg.cnn", VGG, 16), 2), "at batch 16 (4096 output pixels) F(2x2): F(4x4)'s weight transform would not pay");
    }

    /** VGG with both convs forced to the tile {@code m}. */
    static String vgg(int m) {
        return VGG.replace("kernel: 3x3", "kernel: 3x3, algo: winograd" + m);
    }

    /** A GEMM tile of 16 tiles x 5 channels: 17 and 12 output channels leave a narrower block. */
    @ParameterizedTest(name = "F({0}x{0},3x3)")
    @ValueSource(ints = {2, 4})
    void aForcedNarrowTileMatches(int tile) {
        ConvTiles.override = new ConvTiles.Tile(2, 5);
        Model m = Models.model("wino.cnn", tile(WINO, tile), 2);
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", true);
        assertTrue(src.text().contains("a register tile of 16 tiles x 5 output channels"), "the forced tile reaches the kernels");
        compare(m, 1e-4, tile);
    }

    /**
     * The matrices of {@link WinogradMatrices} in float64: {@code A^T [(G g G^T) ⊙ (B^T d B)] A} is the
     * 3x3 correlation of a random α x α block d with a random kernel g, to 1e-12; and the rows
     * {@link WinogradMatrices#gRows} the generated code uses are G's.
     */
    @ParameterizedTest(name = "F({0}x{0},3x3)")
    @ValueSource(ints = {2, 4})
    void theTransformsComputeTheCorrelation(int m) {
        int a = m + 2;
        java.util.Random r = new java.util.Random(m);
        double[][] g = new double[3][3];
        double[][] d = new double[a][a];
        for (double[] row : g) {
            for (int i = 0; i < 3; i++) {
                row[i] = r.nextGaussian();
            }
        }
        for (double[] row : d) {
            for (int i = 0; i < a; i++) {
                row[i] = r.nextGaussian();
            }
        }
        double[][] gm = WinogradMatrices.g(m), bt = WinogradMatrices.bt(m), at = WinogradMatrices.at(m);
        double[][] u = mul(mul(gm, g), transpose(gm));
        double[][] v = mul(mul(bt, d), transpose(bt));
        double[][] prod = new double[a][a];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < a; j++) {
                prod[i][j] = u[i][j] * v[i][j];
            }
        }
        double[][] y = mul(mul(at, prod), transpose(at));
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double e = 0;
                for (int p = 0; p < 3; p++) {
                    for (int q = 0; q < 3; q++) {
                        e += g[p][q] * d[i + p][j + q];
                    }
                }
                assertEquals(e, y[i][j], 1e-12, "pixel (" + i + "," + j + ")");
            }
        }
        int[][] rows = WinogradMatrices.gRows(m);
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(gm[i][j], rows[i][j] / (double) rows[i][3], 1e-15, "G[" + i + "][" + j + "]");
            }
        }
    }

    static double[][] mul(double[][] x, double[][] y) {
        double[][] out = new double[x.length][y[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < y[0].length; j++) {
                for (int k = 0; k < y.length; k++) {
                    out[i][j] += x[i][k] * y[k][j];
                }
            }
        }
        return out;
    }

    static double[][] transpose(double[][] x) {
        double[][] out = new double[x[0].length][x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                out[j][i] = x[i][j];
            }
        }
        return out;
    }

    /**
     * The gradient's partial sums over uneven sample ranges (batch 20 in 8 sums of 2 or 3 samples),
     * each cut into blocks of one sample, with input channels the GEMM's vectors do not divide.
     */
    @Test
    void partialSumsOverSeveralBlocksMatch() {
        WinogradGradEmitter.blockOverride = 1;
        Model m = Models.model("wino.cnn", tile(WINO, 2), 20);
        String text = JavaBackend.generate(m, "cnnc.generated", true).text();
        assertTrue(text.contains("8 partial sums over fixed sample ranges, blocks of 1 sample(s)"), "the forced blocks reach the kernel");
        compare(m, 1e-4, 2);
    }

    /** The number of Winograd forward steps with tile {@code tile}; asserts every conv_bf of a Winograd conv is Winograd too. */
    static int winograd(Model m, int tile) {
        int n = 0;
        for (Step s : m.forward().steps()) {
            if (s.op() instanceof Conv c && c.algo().winogradTile() == tile) {
                n++;
            }
        }
        for (Step s : m.backwardGraph().steps()) {
            if (s.op() instanceof ConvBf bf && bf.conv().algo() != Conv.Algo.AUTO) {
                assertEquals(bf.conv().algo(), bf.algo(), s.node());
            }
            if (s.op() instanceof ConvGrad g && g.conv().algo() != Conv.Algo.AUTO) {
                Conv.Algo want = g.conv().algo().winograd() ? Conv.Algo.WINOGRAD2 : g.conv().algo(); // the gradient's one tile
                assertEquals(want, g.algo(), s.node() + ": the weight gradient follows the conv's algo");
            }
        }
        return n;
    }

    static void compare(Model m, double rel, int tile) {
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", true);
        assertTrue(src.text().contains("Winograd F(" + tile + "x" + tile + ",3x3) on "), "a Winograd kernel is generated");
        assertTrue(src.text().contains("(A ΔY A^T)[ξ]"), "a Winograd weight gradient is generated");
        Network net = JaninoLoader.compile(src).instantiate();
        Models.fill(net, 29);
        net.setThreads(2);
        int compared = Models.matchesInterpreter(m, net, m.name(), rel);
        assertTrue(compared >= 6, "only " + compared + " tensors compared");
        net.close();
    }

    /**
     * The forward's weight transform U lasts from one pass to the next and is computed again only when
     * the weights change ({@code StepCtx.cachedPhase}). Writes into the weight buffer in place, as
     * {@link Network} allows, still reach the next pass: after changing only the last weight (a guard
     * that compared a prefix would miss it), then every weight, then a weight back to its earlier value,
     * each pass matches the float64 interpreter on the weights it was given. And the cache is used: with
     * the weights unchanged since the last pass the guard says the transform need not run.
     */
    @ParameterizedTest(name = "F({0}x{0},3x3)")
    @ValueSource(ints = {2, 4})
    void writesIntoTheWeightsReachTheKeptTransform(int tile) throws ReflectiveOperationException {
        Model m = Models.model("vgg.cnn", vgg(tile), 2);
        Network net = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", true)).instantiate();
        java.lang.reflect.Method stale = null;
        for (java.lang.reflect.Method k : net.getClass().getDeclaredMethods()) {
            // f2: conv b is the third forward step; Janino compiles a private method as a static one named with a
            // trailing $ that takes the instance
            if (k.getName().equals("f2_conv_b_u_stale$") && k.getParameterCount() == 1) {
                stale = k;
            }
        }
        assertTrue(stale != null, "conv b's weight transform has a guard");
        stale.setAccessible(true);
        Models.fill(net, 37);
        Models.matchesInterpreter(m, net, "first pass", 1e-4);
        assertEquals(false, stale.invoke(null, net), "the weights are those of the last pass: U is not computed again");
        float[] w = net.tensor("b.weight");
        float before = w[0];
        w[w.length - 1] += 0.5f;
        Models.matchesInterpreter(m, net, "the last weight changed", 1e-4);
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (0.1 * r.nextGaussian());
        }
        Models.matchesInterpreter(m, net, "every weight changed", 1e-4);
        float now = w[0];
        w[0] = before;
        Models.matchesInterpreter(m, net, "a weight back to an earlier value", 1e-4);
        w[0] = now;
        assertEquals(true, stale.invoke(null, net), "a weight changed since the last pass: U is computed again");
        assertEquals(false, stale.invoke(null, net), "and then it is current");
        net.close();
    }

    /**
     * No allocation in a training step through Winograd forward, backward-data and gradient, once C2 has
     * compiled the kernels, in a JVM of its own (AllocationProbe).
     */
    @ParameterizedTest(name = "F({0}x{0},3x3)")
    @ValueSource(ints = {2, 4})
    void trainingStepsAllocateNothing(int tile) {
        Model m = Models.model("vgg.cnn", vgg(tile), 4);
        assertEquals(2, winograd(m, tile));
        assertEquals(0, AllocationProbe.inFreshJvm(m, true, 2)[0], "bytes allocated in 20 training steps");
    }

    /** Bit-identical results for 1, 2 and 3 threads through Winograd forward, backward-data and gradient, over a few SGD steps. */
    @ParameterizedTest(name = "F({0}x{0},3x3)")
    @ValueSource(ints = {2, 4})
    void identicalBitsForAnyThreadCount(int tile) {
        Model m = Models.model("vgg.cnn", vgg(tile), 4);
        assertEquals(2, winograd(m, tile));
        JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", true));
        List<Network> nets = List.of(c.instantiate(), c.instantiate(), c.instantiate());
        for (int i = 0; i < nets.size(); i++) {
            Models.fill(nets.get(i), 31);
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
