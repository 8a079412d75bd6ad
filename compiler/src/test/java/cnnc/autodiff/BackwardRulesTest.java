package cnnc.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Buffer;
import cnnc.ir.DType;
import cnnc.ir.Role;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.AddBf;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.BnGrad;
import cnnc.ops.ConvBf;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The backward rules of single operations, each on a small network written for it. */
@org.junit.jupiter.api.Timeout(30)
class BackwardRulesTest {

    /** A network {@code x -> h (conv 1x1, so Δh is needed) -> <body> -> full -> softmax -> loss}. */
    private static String net(String input, String body, String last) {
        return """
                network t {
                    input x : %s;
                    target z : 3;
                    h = conv(x, 2, kernel: 1x1);
                %s
                    f = full(%s, 3);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                    train { batch 2; }
                }
                """.formatted(input, body.indent(4).stripTrailing(), last);
    }

    /**
     * A conv's arguments, the pads they mean ({@code Pt, Pl}), its stride and the backward anchor
     * docs/language.md §3 gives: {@code (M-1-m, N-1-n)} with {@code (m, n) = (Pt, Pl)}.
     */
    record ConvCase(String args, int m, int n, int pt, int pl, int sh, int sw, int bm, int bn) {
        @Override
        public String toString() {
            return args;
        }
    }

    static Stream<ConvCase> convCases() {
        return Stream.of(
                new ConvCase("kernel: 3x3", 3, 3, 1, 1, 1, 1, 1, 1),                       // same by default
                new ConvCase("kernel: 5x5, padding: same", 5, 5, 2, 2, 1, 1, 2, 2),
                new ConvCase("kernel: 4x4", 4, 4, 1, 1, 1, 1, 2, 2),                       // even: anchor ((M-1)/2, (N-1)/2)
                new ConvCase("kernel: 2x4, padding: same", 2, 4, 0, 1, 1, 1, 1, 2),
                new ConvCase("kernel: 1x3", 1, 3, 0, 1, 1, 1, 0, 1),                       // asymmetric
                new ConvCase("kernel: 3x1", 3, 1, 1, 0, 1, 1, 1, 0),
                new ConvCase("kernel: 3x3, padding: valid", 3, 3, 0, 0, 1, 1, 2, 2),       // backward is a full correlation
                new ConvCase("kernel: 2x3, padding: valid", 2, 3, 0, 0, 1, 1, 1, 2),
                new ConvCase("kernel: 3x3, padding: full", 3, 3, 2, 2, 1, 1, 0, 0),        // backward is a valid correlation
                new ConvCase("kernel: 4x2, padding: full", 4, 2, 3, 1, 1, 1, 0, 0),
                new ConvCase("kernel: 3x3, anchor: (0,0)", 3, 3, 0, 0, 1, 1, 2, 2),        // inside, at a corner
                new ConvCase("kernel: 3x3, anchor: (-1,4)", 3, 3, -1, 4, 1, 1, 3, -2),     // exclave: above and right of the window
                new ConvCase("kernel: 3x3, anchor: (3,-2)", 3, 3, 3, -2, 1, 1, -1, 4),     // exclave: below and left
                new ConvCase("kernel: 2x2, anchor: (2,-1)", 2, 2, 2, -1, 1, 1, -1, 2),     // exclave, even kernel
                new ConvCase("kernel: 4x4, stride: 2x2", 4, 4, 1, 1, 2, 2, 2, 2),          // even, strided: transposed conv
                new ConvCase("kernel: 3x3, padding: valid, stride: 2x3", 3, 3, 0, 0, 2, 3, 2, 2),
                new ConvCase("kernel: 3x3, anchor: (4,4), stride: 2x2", 3, 3, 4, 4, 2, 2, -2, -2));
    }

    @ParameterizedTest(name = "conv_bf anchor for {0}")
    @MethodSource("convCases")
    void convBfTakesTheBackwardAnchor(ConvCase k) {
        Compiled c = Compiled.of(net("1x9x8", "c = conv(h, 3, " + k.args() + ");", "c"));
        Step bf = c.writer("grad.h");
        ConvBf op = assertInstanceOf(ConvBf.class, bf.op(), "Δh of a conv's input\n" + c.dump());
        assertEquals(List.of(k.pt(), k.pl()), List.of(op.conv().pt(), op.conv().pl()), "forward pads Pt, Pl");
        assertArrayEquals(new int[] {k.bm(), k.bn()}, op.backwardAnchor(), "backward anchor (M-1-m, N-1-n)");
        assertEquals(List.of("grad.c", "c.weight"), bf.inputs().stream().map(Buffer::name).toList(), "conv_bf reads ΔY and W");
        assertEquals(c.forward().buffers().get("h").shape(), bf.output().shape(), "ΔX has the shape of X");
        assertTrue(c.dump().contains("anchor (" + k.bm() + "," + k.bn() + ")"), "the dump names the backward anchor\n" + c.dump());
        convBfIsTheAdjointOfConv(k, bf.output().shape().h(), bf.output().shape().w(), c.forward().buffers().get("c").shape().h(),
                c.forward().buffers().get("c").shape().w(), op.backwardAnchor());
    }

    /**
     * docs/language.md §3's conv_bf formula at the given backward anchor (with ΔY dilated by the stride) equals
     * the adjoint of the forward convolution, computed by scattering every tap: so the anchor is
     * right, not only what the code says. One channel in and out is enough for the anchor.
     */
    private static void convBfIsTheAdjointOfConv(ConvCase k, int h, int w, int oh, int ow, int[] anchor) {
        Random r = new Random(k.args().hashCode());
        double[][] wt = new double[k.m()][k.n()];
        double[][] dy = new double[oh][ow];
        for (double[] row : wt) {
            for (int q = 0; q < row.length; q++) {
                row[q] = r.nextGaussian();
            }
        }
        for (double[] row : dy) {
            for (int j = 0; j < row.length; j++) {
                row[j] = r.nextGaussian();
            }
        }
        double[][] adjoint = new double[h][w];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                for (int p = 0; p < k.m(); p++) {
                    for (int q = 0; q < k.n(); q++) {
                        int xi = i * k.sh() - k.pt() + p;
                        int xj = j * k.sw() - k.pl() + q;
                        if (xi >= 0 && xi < h && xj >= 0 && xj < w) {
                            adjoint[xi][xj] += wt[p][q] * dy[i][j];
                        }
                    }
                }
            }
        }
        for (int a = 0; a < h; a++) {
            for (int b = 0; b < w; b++) {
                double sum = 0;
                for (int p = 0; p < k.m(); p++) {
                    for (int q = 0; q < k.n(); q++) {
                        double v = wt[k.m() - 1 - p][k.n() - 1 - q];             // V = rot180(W)
                        int u = a - anchor[0] + p;                                 // in the dilated ΔY
                        int s = b - anchor[1] + q;
                        if (u >= 0 && s >= 0 && u % k.sh() == 0 && s % k.sw() == 0 && u / k.sh() < oh && s / k.sw() < ow) {
                            sum += v * dy[u / k.sh()][s / k.sw()];
                        }
                    }
                }
                assertEquals(adjoint[a][b], sum, 1e-9, "ΔX[" + a + "][" + b + "] for " + k.args());
            }
        }
    }

    @Test
    void maxpoolBfReadsThePathTensor() {
        Compiled c = Compiled.of(net("1x9x9", "p = maxpool(h, window: 3x3, stride: 2x2);", "p"));
        Step forward = c.forward().steps().stream().filter(s -> s.node().equals("p")).findFirst().orElseThrow();
        Buffer path = forward.outputs().get(1);
        assertEquals("path.p", path.name());
        assertEquals(Role.PATH, path.role());
        assertEquals(DType.I32, path.dtype());
        assertEquals(forward.output().shape(), path.shape(), "the path tensor has the shape of Y");
        Step bf = c.writer("grad.h");
        MaxPoolBf op = assertInstanceOf(MaxPoolBf.class, bf.op());
        assertEquals(List.of("grad.p", "path.p"), bf.inputs().stream().map(Buffer::name).toList(), "maxpool_bf reads ΔY and the path");
        assertEquals(path, bf.input(1), "the forward maxpool's path tensor, as it wrote it");
        assertTrue(op.pool().overlapping(), "3x3 windows at stride 2 overlap");
        assertTrue(c.backward().sources().contains(path), "the path tensor comes from the forward graph");
    }

    @Test
    void avgpoolBfReadsNoPath() {
        Compiled c = Compiled.of(net("1x9x9", "a = avgpool(h, window: 2x2, stride: 3x3, ceil: true);", "a"));
        Step bf = c.writer("grad.h");
        assertInstanceOf(AvgPoolBf.class, bf.op());
        assertEquals(List.of("grad.a"), bf.inputs().stream().map(Buffer::name).toList());
        assertFalse(c.forward().buffers().containsKey("path.a"), "avgpool has no path tensor");
    }

    @Test
    void theLossStartsWithSoftmaxCeBfOnTheSoftmaxInput() {
        Compiled c = Compiled.of(net("1x4x4", "r = relu(h);", "r"));
        Step first = c.backward().steps().get(0);
        SoftmaxCeBf op = assertInstanceOf(SoftmaxCeBf.class, first.op(), c.dump());
        assertEquals(2, op.batch(), "(y - z)/T with T the batch");
        assertEquals(List.of("y", "z"), first.inputs().stream().map(Buffer::name).toList(), "softmax_ce_bf reads y and z");
        assertEquals(List.of("grad.f"), first.outputs().stream().map(Buffer::name).toList(), "it writes Δ of the softmax input");
        assertEquals(c.forward().buffers().get("f").shape(), first.output().shape());
        assertFalse(c.writers().containsKey("grad.y"), "Δy is not materialized");
        assertFalse(c.writers().containsKey("grad.z"), "the target gets no sensitivity");
        assertTrue(c.backward().steps().stream().noneMatch(s -> s.op() instanceof SoftmaxBf), "the fused softmax has no softmax_bf");
    }

    @Test
    void aSoftmaxInsideTheGraphHasItsOwnBackward() {
        Compiled c = Compiled.of(net("3x4x4", "s = softmax(h);", "s"));
        Step bf = c.writer("grad.h");
        assertInstanceOf(SoftmaxBf.class, bf.op());
        assertEquals(List.of("grad.s", "s"), bf.inputs().stream().map(Buffer::name).toList(), "ΔX = Y·(ΔY - Σ_c ΔY·Y) reads ΔY and Y");
    }

    @Test
    void aTensorAddedToItselfGetsTwoPartials() {
        Compiled c = Compiled.of(net("1x4x4", "a = relu(h);\ns = add(a, a);", "s"));
        Step acc = c.writer("grad.a");
        assertInstanceOf(Accumulate.class, acc.op(), c.dump());
        assertEquals(2, ((Accumulate) acc.op()).count());
        List<String> partials = acc.inputs().stream().map(Buffer::name).toList();
        assertEquals(2, partials.stream().distinct().count(), "two distinct partials: " + partials);
        Step addBf = c.writer(partials.get(0));
        assertInstanceOf(AddBf.class, addBf.op());
        assertEquals(addBf, c.writer(partials.get(1)), "one add_bf writes both partials");
        assertEquals(partials, addBf.outputs().stream().map(Buffer::name).toList(), "slot 0 then slot 1");
        assertTrue(acc.inputs().stream().allMatch(b -> b.role() == Role.PARTIAL && b.shape().equals(c.forward().buffers().get("a").shape())));
        assertTrue(c.backward().steps().indexOf(addBf) < c.backward().steps().indexOf(acc), "the partials are written before the sum");
    }

    @Test
    void aFannedOutTensorSumsItsPartialsInCnnOrder() {
        Compiled c = Compiled.of(net("1x6x6", "a = relu(h);\nb = conv(a, 2, kernel: 3x3);\nd = tanh(a);\ns = concat(d, b, a);", "s"));
        Step acc = c.writer("grad.a");
        assertInstanceOf(Accumulate.class, acc.op(), c.dump());
        assertEquals(List.of("b", "d", "s"), acc.inputs().stream().map(p -> c.writer(p.name()).node()).toList(),
                "partials from b, d and s, in .cnn order");
    }

    @Test
    void inputsGetASensitivityOnlyWhenAsked() {
        String text = """
                network t {
                    input x : 1x6x6;
                    target z : 3;
                    a = conv(x, 2, kernel: 3x3, anchor: (-1,3));
                    b = conv(x, 2, kernel: 2x2);
                    s = concat(a, b, x);
                    f = full(s, 3);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                    train { batch 2; }
                }
                """;
        Compiled without = Compiled.of(text, false);
        assertTrue(without.writers().keySet().stream().noneMatch(n -> n.startsWith("grad.x")), "no Δx unless asked\n" + without.dump());
        Compiled with = Compiled.of(text, true);
        Step acc = with.writer("grad.x");
        assertInstanceOf(Accumulate.class, acc.op(), "x feeds three edges\n" + with.dump());
        assertEquals(List.of("a", "b", "s"), acc.inputs().stream().map(p -> with.writer(p.name()).node()).toList());
        assertEquals(with.forward().buffers().get("x").shape(), acc.output().shape());
        assertEquals("x", acc.node(), "the accumulate is for x");
    }

    @Test
    void bnTrainsGammaAndBetaButNotItsRunningStatistics() {
        Compiled c = Compiled.of(net("2x4x5", "e = bn(h);\nk = bn(e, per: channel);", "k"));
        for (String node : List.of("e", "k")) {
            Step grad = c.stepsFor(node).stream().filter(s -> s.op() instanceof BnGrad).findFirst().orElseThrow();
            assertEquals(List.of("grad." + node + ".gamma", "grad." + node + ".beta"), grad.outputs().stream().map(Buffer::name).toList());
        }
        assertEquals(List.of(2, 4, 5), c.writers().get("grad.e.gamma").outputs().get(0).shape().dims(), "per element: C x H x W");
        assertEquals(List.of(2), c.writers().get("grad.k.gamma").outputs().get(0).shape().dims(), "per channel: C");
        assertTrue(c.writers().keySet().stream().noneMatch(n -> n.contains("running")), "no gradient for running statistics");
    }
}
