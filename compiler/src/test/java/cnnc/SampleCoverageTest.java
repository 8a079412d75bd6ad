package cnnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.front.Options;
import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.Activation;
import cnnc.ops.Add;
import cnnc.ops.BatchNorm;
import cnnc.ops.Concat;
import cnnc.ops.Conv;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Dropout;
import cnnc.ops.ForwardOp;
import cnnc.ops.Full;
import cnnc.ops.Pool;
import cnnc.ops.Softmax;
import cnnc.passes.Pipeline;
import cnnc.syntax.Parser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The samples: each compiles with its backward graph, trains on 1x28x28 images with 10 classes,
 * and together they use every operation and variant of docs/language.md §3, as samples/README.md lists.
 */
@org.junit.jupiter.api.Timeout(30)
class SampleCoverageTest {

    private static final Path SAMPLES = Path.of(System.getProperty("cnnc.root", "."), "samples");

    /** Every operation and variant docs/language.md §3 defines. */
    private static final List<String> FEATURES = List.of(
            "conv padding same", "conv padding valid", "conv padding full", "conv anchor inside", "conv anchor negative",
            "conv anchor >= kernel", "conv stride", "conv even kernel", "conv asymmetric kernel", "conv bias false",
            "conv init xavier", "bn per element", "bn per channel", "relu", "sigmoid", "tanh", "leaky_relu", "elu", "maxpool", "avgpool",
            "pool overlapping", "pool gaps", "pool ceil", "full", "softmax", "add", "concat", "fan-out", "accumulate",
            "deconv stride 1", "deconv stride", "deconv padding", "deconv output_padding", "dropout");

    @Test
    void togetherTheSamplesUseEveryOperationAndVariant() throws IOException {
        Map<String, Set<String>> covered = new TreeMap<>();
        for (Path file : samples()) {
            Model m = compile(file);
            for (String f : features(m)) {
                covered.computeIfAbsent(f, k -> new TreeSet<>()).add(file.getFileName().toString());
            }
        }
        List<String> missing = FEATURES.stream().filter(f -> !covered.containsKey(f)).toList();
        assertTrue(missing.isEmpty(), "no sample uses " + missing + "; covered: " + covered);
    }

    @Test
    void everySampleTrainsOnFashionMnistAndSaysWhatItShows() throws IOException {
        String readme = Files.readString(SAMPLES.resolve("README.md"));
        for (Path file : samples()) {
            Model m = compile(file);
            String name = file.getFileName().toString();
            // the CIFAR-sized bench sample reads 3x32x32 colour images (samples/README.md says so); every other one Fashion-MNIST's
            List<Integer> image = name.equals("cifar_vgg.cnn") ? List.of(m.batch(), 3, 32, 32) : List.of(m.batch(), 1, 28, 28);
            assertEquals(image, m.input().shape().dims(), name + ": input " + image.subList(1, 4));
            assertEquals(List.of(m.batch(), 10, 1, 1), m.target().shape().dims(), name + ": 10 classes");
            assertTrue(m.train().batch() > 0 && m.train().pos().known(), name + ": a train block with a batch");
            assertTrue(Files.readString(file).startsWith("//"), name + ": a comment at the top says what it demonstrates");
            assertTrue(readme.contains(name), "samples/README.md lists " + name);
        }
    }

    @Test
    void fashionBnIsThreeConvBnReluPoolBlocks() throws IOException {
        Model m = compile(SAMPLES.resolve("fashion_bn.cnn"));
        List<String> ops = m.forward().steps().stream().map(s -> s.op() instanceof BatchNorm bn && bn.perChannel() ? "bn/channel"
                : s.op().mnemonic()).toList();
        String chain = String.join(" ", ops);
        String block = "conv bn/channel relu maxpool";
        assertTrue(chain.startsWith(block + " " + block + " " + block + " "), chain);
        assertEquals(64, m.train().batch());
        assertTrue(m.train().epochs() <= 5);
        boolean adam = m.train().optimizer().equals("adam");
        assertTrue(adam || m.train().setting("momentum") > 0, "adam, or sgd with momentum");
    }

    private static List<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            List<Path> out = files.filter(p -> p.toString().endsWith(".cnn")).sorted().toList();
            assertTrue(out.size() >= 4, "samples: " + out);
            return out;
        }
    }

    private static Model compile(Path file) throws IOException {
        return Pipeline.compile(Parser.decode(file.toString(), Files.readAllBytes(file)), Options.defaults());
    }

    /** The features of {@link #FEATURES} a model uses, read off its forward and backward graphs. */
    private static List<String> features(Model m) {
        List<String> out = new ArrayList<>();
        Map<String, Integer> reads = new HashMap<>();
        for (Step s : m.forward().steps()) {
            s.inputs().forEach(b -> reads.merge(b.name(), 1, Integer::sum));
            switch ((ForwardOp) s.op()) {
                case Conv c -> {
                    boolean anchor = c.padding() instanceof Conv.Padding.Anchor;
                    out.add(anchor ? "conv anchor" : "conv padding " + c.padding());
                    if (anchor && c.pt() >= 0 && c.pt() < c.m() && c.pl() >= 0 && c.pl() < c.n()) {
                        out.add("conv anchor inside");
                    }
                    if (c.pt() < 0 || c.pl() < 0) {
                        out.add("conv anchor negative");
                    }
                    if (anchor && (c.pt() >= c.m() || c.pl() >= c.n())) {
                        out.add("conv anchor >= kernel");
                    }
                    if (c.sh() > 1 || c.sw() > 1) {
                        out.add("conv stride");
                    }
                    if (c.m() % 2 == 0 || c.n() % 2 == 0) {
                        out.add("conv even kernel");
                    }
                    if (c.m() != c.n()) {
                        out.add("conv asymmetric kernel");
                    }
                    if (!c.bias()) {
                        out.add("conv bias false");
                    }
                    if (c.init() == cnnc.ir.Init.XAVIER) {
                        out.add("conv init xavier");
                    }
                }
                case BatchNorm bn -> out.add(bn.perChannel() ? "bn per channel" : "bn per element");
                case Activation a -> out.add(a.fn().word);
                case Pool p -> {
                    out.add(p.mnemonic());
                    if (p.sh() < p.p() || p.sw() < p.q()) {
                        out.add("pool overlapping");
                    }
                    if (p.sh() > p.p() || p.sw() > p.q()) {
                        out.add("pool gaps");
                    }
                    if (p.ceil()) {
                        out.add("pool ceil");
                    }
                }
                case Full f -> out.add("full");
                case Softmax f -> out.add("softmax");
                case Add a -> out.add("add");
                case Concat c -> out.add("concat");
                case CrossEntropy c -> { }
                case cnnc.ops.Deconv d -> {
                    out.add(d.sh() > 1 || d.sw() > 1 ? "deconv stride" : "deconv stride 1");
                    if (d.ph() > 0 || d.pw() > 0) {
                        out.add("deconv padding");
                    }
                    if (d.ah() > 0 || d.aw() > 0) {
                        out.add("deconv output_padding");
                    }
                }
                case Dropout d -> out.add("dropout");
            }
        }
        if (m.forward().steps().stream().flatMap(s -> s.outputs().stream()).map(Buffer::name).anyMatch(n -> reads.getOrDefault(n, 0) > 1)) {
            out.add("fan-out");
        }
        if (m.backwardGraph().steps().stream().anyMatch(s -> s.op() instanceof Accumulate)) {
            out.add("accumulate");
        }
        return out;
    }
}
