package cnnc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Conv;
import cnnc.ops.Conv.Algo;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code conv-kernels} pass: the kernel it records per conv, conv_bf and conv_grad step from the
 * shapes, what the file's {@code algo:} and a forced algorithm change, that it leaves the graph's
 * identity alone, and that a class without the Vector API renders every choice as scalar loops.
 */
@org.junit.jupiter.api.Timeout(120)
class ConvKernelsTest {

    static final String MIX = """
            network mix {
                input x : 16x12x12;
                target z : 10;
                a = conv(x, 32, kernel: 3x3);                                  // winograd F(4x4): 16 -> 32 channels on 12x12
                b = conv(a, 32, kernel: 5x5);                                  // direct: not 3x3
                c = conv(b, 32, kernel: 3x3, stride: 2x2);                     // direct, on the stride phases
                d = conv(c, 8, kernel: 3x3);                                   // direct: 8 output channels
                e = conv(d, 16, kernel: 3x3, anchor: (-1, 1));                 // scalar: an exclave anchor
                g = conv(e, 16, kernel: 3x3, algo: scalar);                    // what the file asks for
                f = full(g, 10);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    @AfterEach
    void reset() {
        System.clearProperty("cnnc.conv.algo");
    }

    static Model compile(String text) {
        return Pipeline.compile(SourceFile.of("mix.cnn", text), Options.defaults().withBatch(8));
    }

    /** {@code node kind -> algo} for every conv step, kind conv, conv_bf or conv_grad. */
    static Map<String, Algo> kernels(Model m) {
        Map<String, Algo> out = new LinkedHashMap<>();
        List<Step> steps = new ArrayList<>(m.forward().steps());
        m.backward().ifPresent(g -> steps.addAll(g.steps()));
        for (Step s : steps) {
            switch (s.op()) {
                case Conv c -> out.put(s.node() + " conv", c.algo());
                case ConvBf bf -> out.put(s.node() + " conv_bf", bf.algo());
                case ConvGrad g -> out.put(s.node() + " conv_grad", g.algo());
                default -> { }
            }
        }
        return out;
    }

    @Test
    void theCostModelChoosesFromTheShapes() {
        Map<String, Algo> k = kernels(compile(MIX));
        assertEquals(Algo.WINOGRAD2, k.get("a conv"), "8 x 12 x 12 output pixels: too few to repay F(4x4)'s weight transform");
        assertEquals(Algo.WINOGRAD2, kernels(Pipeline.compile(SourceFile.of("mix.cnn", MIX), Options.defaults().withBatch(113))).get("a conv"),
                "113 x 144 output pixels, one short of 16384: F(2x2)");
        assertEquals(Algo.WINOGRAD4, kernels(Pipeline.compile(SourceFile.of("mix.cnn", MIX), Options.defaults().withBatch(114))).get("a conv"),
                "12x12, a multiple of 4 and at least 8, with 114 x 144 output pixels: F(4x4)");
        assertEquals(Algo.WINOGRAD2, k.get("a conv_grad"), "the weight gradient follows the same shape rule, F(2x2) only");
        assertEquals(Algo.DIRECT, k.get("b conv_grad"), "5x5 is never Winograd");
        assertEquals(Algo.DIRECT, k.get("d conv_grad"), "ΔY of 8 channels: too few for Winograd");
        assertEquals(Algo.DIRECT, k.get("b conv"));
        assertEquals(Algo.DIRECT, k.get("b conv_bf"), "5x5 is never Winograd");
        assertEquals(Algo.DIRECT, k.get("c conv"), "stride 2: the direct kernel on the stride phases");
        assertEquals(Algo.DIRECT, k.get("c conv_grad"), "stride 2: the direct weight gradient on the stride phases");
        assertEquals(Algo.DIRECT, k.get("c conv_bf"), "stride 2: the direct kernel on the stride phases of ΔX");
        assertEquals(Algo.DIRECT, k.get("d conv"), "8 output channels: too few for Winograd");
        assertEquals(Algo.DIRECT, kernels(Pipeline.compile(SourceFile.of("mix.cnn", MIX), Options.defaults().withBatch(4))).get("a conv"),
                "4 x 12 x 12 output pixels: too few to repay the weight transform");
        assertEquals(Algo.SCALAR, k.get("e conv"));
        assertEquals(Algo.SCALAR, k.get("g conv"));
        assertEquals(Algo.SCALAR, k.get("g conv_bf"));
        assertEquals(Algo.SCALAR, k.get("g conv_grad"));
        assertEquals(Algo.SCALAR, k.get("e conv_bf"));
        assertEquals(Algo.DIRECT, k.get("d conv_bf"), "ΔY of 8 channels: too few for Winograd");
    }

    @Test
    void cifarVggRunsWinogradOnItsWideLayers() throws IOException {
        Path file = Path.of(System.getProperty("cnnc.root", ".."), "samples/cifar_vgg.cnn");
        Model m = Pipeline.compile(SourceFile.of("cifar_vgg.cnn", Files.readString(file)), Options.defaults());
        Map<String, Algo> k = kernels(m);
        assertEquals(Algo.DIRECT, k.get("c1 conv"), "3 input channels");
        for (String c : List.of("c2", "c3", "c4", "c5", "c6")) {
            Algo tile = c.equals("c5") || c.equals("c6") ? Algo.WINOGRAD2 : Algo.WINOGRAD4;
            assertEquals(tile, k.get(c + " conv"), c + ": maps of 32 and 16 at batch 64 F(4x4); of 8 (4096 pixels) F(2x2)");
            assertEquals(tile, k.get(c + " conv_bf"), c);
            assertEquals(Algo.WINOGRAD2, k.get(c + " conv_grad"), c + ": the weight gradient has F(2x2) only");
        }
    }

    /**
     * An inference build (no backward graph) computes a Winograd forward's weight transform once per
     * weight update, so Winograd pays on fewer pixels: cifar_vgg at batch 1 runs F(2x2) on its 32x32
     * and 16x16 maps (1024 and 256 pixels) and the direct kernel on 8x8 (64); the training build of the
     * same batch keeps the every-step rule (1024 pixels).
     */
    @Test
    void anInferenceBuildTakesWinogradOnFewerPixels() throws IOException {
        Path file = Path.of(System.getProperty("cnnc.root", ".."), "samples/cifar_vgg.cnn");
        SourceFile src = SourceFile.of("cifar_vgg.cnn", Files.readString(file));
        Map<String, Algo> infer = kernels(Pipeline.compile(src, Options.defaults().withTraining(false).withBatch(1)));
        Map<String, Algo> train = kernels(Pipeline.compile(src, Options.defaults().withBatch(1)));
        assertEquals(Algo.DIRECT, infer.get("c1 conv"), "3 input channels");
        for (String c : List.of("c2", "c3", "c4")) {
            assertEquals(Algo.WINOGRAD2, infer.get(c + " conv"), c + ": at least 256 output pixels in an inference build");
        }
        for (String c : List.of("c5", "c6")) {
            assertEquals(Algo.DIRECT, infer.get(c + " conv"), c + ": 64 output pixels");
        }
        assertEquals(Algo.WINOGRAD2, train.get("c2 conv"), "1024 pixels: Winograd in a training build too");
        assertEquals(Algo.DIRECT, train.get("c3 conv"), "256 pixels: a training build transforms the weights every step");
        assertEquals(Algo.DIRECT, train.get("c4 conv"), "256 pixels: a training build transforms the weights every step");
        assertEquals(Algo.DIRECT, train.get("c3 conv_bf"), "the backward-data step transforms the weights every step");
        String inference = check(file, "--inference");
        String training = check(file);
        assertTrue(inference.contains(", inference build (") && training.contains(", training build ("), inference + training);
        assertTrue(c3(inference).contains("winograd F(2x2,3x3)"), "cnnc check --inference shows the inference build's c3");
        assertTrue(c3(training).contains("direct"), "cnnc check shows the training build's c3");
        assertTrue(training.contains("path tensors") && training.contains("bn saved") && training.contains("sensitivities"), training);
        assertTrue(!inference.contains("path tensors") && !inference.contains("bn saved") && !inference.contains("sensitivities"),
                "the inference build allocates no buffer only the backward pass reads: " + inference);
    }

    /** What {@code cnnc check FILE --batch 1 [more]} prints. */
    private static String check(Path file, String... more) {
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        List<String> args = new ArrayList<>(List.of("check", file.toString(), "--batch", "1"));
        args.addAll(List.of(more));
        assertEquals(0, cnnc.cli.Main.run(args.toArray(String[]::new), new java.io.PrintWriter(out), new java.io.PrintWriter(err)), err.toString());
        return out.toString();
    }

    /** The line of a check's output naming c3's forward kernel. */
    private static String c3(String check) {
        return check.lines().filter(l -> l.contains("conv forward 'c3'")).findFirst().orElseThrow();
    }

    @Test
    void aForcedAlgorithmWinsWhereItApplies() {
        System.setProperty("cnnc.conv.algo", "winograd");
        Map<String, Algo> k = kernels(compile(MIX));
        assertEquals(Algo.WINOGRAD2, k.get("d conv"), "forced past the cost model; 6x6: F(2x2)");
        assertEquals(Algo.WINOGRAD2, k.get("g conv"), "forced over the file's algo: scalar");
        assertEquals(Algo.WINOGRAD2, k.get("a conv"), "12x12 at batch 8: F(2x2), too few pixels for F(4x4)");
        assertEquals(Algo.WINOGRAD2, k.get("d conv_grad"), "the weight gradient too");
        System.setProperty("cnnc.conv.algo", "winograd2");
        k = kernels(compile(MIX));
        assertEquals(Algo.WINOGRAD2, k.get("a conv"), "winograd2 forces F(2x2)");
        assertEquals(Algo.WINOGRAD2, k.get("a conv_grad"));
        System.setProperty("cnnc.conv.algo", "winograd4");
        k = kernels(compile(MIX));
        assertEquals(Algo.WINOGRAD4, k.get("d conv"), "winograd4 forces F(4x4), partial tiles and all");
        assertEquals(Algo.WINOGRAD4, k.get("g conv_bf"));
        assertEquals(Algo.WINOGRAD2, k.get("a conv_grad"), "winograd4 forced: the weight gradient's one tile, F(2x2)");
        assertEquals(Algo.DIRECT, k.get("b conv"), "5x5: the compiler's choice");
        assertEquals(Algo.DIRECT, k.get("c conv"), "stride 2: the compiler's choice");
        assertEquals(Algo.DIRECT, k.get("c conv_bf"), "stride 2: the compiler's choice");
        System.setProperty("cnnc.conv.algo", "scalar");
        assertTrue(kernels(compile(MIX)).values().stream().allMatch(a -> a == Algo.SCALAR));
    }

    @Test
    void theKernelIsNoPartOfTheGraphsIdentity() {
        String auto = GraphHash.of(compile(MIX));
        System.setProperty("cnnc.conv.algo", "scalar");
        assertEquals(auto, GraphHash.of(compile(MIX)), "weights trained with one kernel load under another");
        assertEquals(auto, GraphHash.of(compile(MIX.replace(", algo: scalar", ""))));
    }

    @Test
    void thePassIsListedAndTraced() {
        List<String> names = Pipeline.passes(Options.defaults()).stream().map(Pass::name).toList();
        assertTrue(names.indexOf("conv-kernels") > names.indexOf("verify-backward"), names.toString());
        StringBuilder trace = new StringBuilder();
        Pipeline.compile(SourceFile.of("mix.cnn", MIX), Options.defaults().withBatch(8), t -> trace.append(t).append('\n'));
        String after = trace.substring(trace.indexOf("// after conv-kernels"));
        assertTrue(after.contains("algo winograd") && after.contains("algo direct") && after.contains("algo scalar"), after);
        String before = trace.substring(0, trace.indexOf("// after conv-kernels"));
        assertTrue(!before.contains("algo winograd") && !before.contains("algo direct"), "only the file's algo: before the pass");
    }

    @Test
    void plainJavaRendersEveryChoiceAsScalarLoops() {
        Model m = compile(MIX);
        List<String> vector = JavaBackend.convKernels(m, true);
        List<String> plain = JavaBackend.convKernels(m, false);
        assertEquals(vector.size(), plain.size());
        assertTrue(vector.stream().anyMatch(l -> l.contains("winograd F(2x2,3x3), Vector API")), vector.toString());
        assertTrue(vector.stream().anyMatch(l -> l.contains("winograd F(2x2,3x3) gradient")), vector.toString());
        assertTrue(vector.stream().anyMatch(l -> l.contains("direct, Vector API")), vector.toString());
        assertTrue(plain.stream().allMatch(l -> l.contains("scalar loops (plain Java)")), plain.toString());
    }

    static final String DECONV = """
            network up {
                input x : 4x6x6;
                target z : 10;
                u = deconv(x, 8, kernel: 4x4, stride: 2x2, padding: (1,1));   // direct: its dual conv by the stride phases
                d = deconv(u, 4, kernel: 3x3, padding: (1,1));                // direct: stride 1, pads inside the window
                f = full(d, 10);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    /** {@code node kind -> algo} for every deconv step. */
    static Map<String, Algo> deconvKernels(Model m) {
        Map<String, Algo> out = new LinkedHashMap<>();
        List<Step> steps = new ArrayList<>(m.forward().steps());
        m.backward().ifPresent(g -> steps.addAll(g.steps()));
        for (Step s : steps) {
            switch (s.op()) {
                case Deconv d -> out.put(s.node() + " deconv", d.algo());
                case DeconvBf d -> out.put(s.node() + " deconv_bf", d.algo());
                case DeconvGrad d -> out.put(s.node() + " deconv_grad", d.algo());
                default -> { }
            }
        }
        return out;
    }

    @Test
    void deconvStepsGetTheirKernelFromThePassToo() {
        Map<String, Algo> k = deconvKernels(compile(DECONV));
        assertEquals(Algo.DIRECT, k.get("u deconv"), "stride 2: the dual conv on the stride phases");
        assertEquals(Algo.DIRECT, k.get("u deconv_grad"));
        assertEquals(Algo.DIRECT, k.get("d deconv"));
        assertEquals(Algo.DIRECT, k.get("d deconv_bf"));
        assertEquals(Algo.DIRECT, k.get("d deconv_grad"));
        System.setProperty("cnnc.conv.algo", "scalar");
        assertTrue(deconvKernels(compile(DECONV)).values().stream().allMatch(a -> a == Algo.SCALAR));
        System.setProperty("cnnc.conv.algo", "winograd");
        assertEquals(Algo.DIRECT, deconvKernels(compile(DECONV)).get("d deconv"), "deconv has no Winograd kernel");
        System.clearProperty("cnnc.conv.algo");
        // what the Java backend renders follows the record
        List<String> lines = JavaBackend.convKernels(compile(DECONV), true);
        assertTrue(lines.stream().anyMatch(l -> l.contains("'d'") && l.contains("Vector API")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("deconv forward 'u'") && l.contains("stride phases")), lines.toString());
        System.setProperty("cnnc.conv.algo", "scalar");
        List<String> scalar = JavaBackend.convKernels(compile(DECONV), true);
        System.clearProperty("cnnc.conv.algo");
        assertTrue(scalar.stream().allMatch(l -> l.contains("scalar loops")), scalar.toString());
    }

    @Test
    void theBackendRendersOnlyWhatThePassRecorded() {
        Model m = compile(MIX);
        List<Step> steps = new ArrayList<>();
        for (Step s : m.forward().steps()) {
            steps.add(s.op() instanceof Conv c ? s.withOp(c.withAlgo(Algo.AUTO)) : s);
        }
        Model unchosen = m.withGraphs(new cnnc.ir.Graph(m.forward().sources(), steps), m.backward());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> JavaBackend.generate(unchosen, "p", true));
        assertTrue(e.getMessage().contains("conv-kernels"), e.getMessage());
    }
}
