package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.interp.Interpreter;
import cnnc.ops.Activation;
import cnnc.ops.BatchNorm;
import cnnc.ir.Step;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated code against the float64 reference interpreter ({@link Interpreter}, which shares only
 * the IR with the backends, not their code): every activation (relative error 1e-4), every path
 * tensor (exactly), the loss, bn running statistics, and every parameter gradient and sensitivity
 * against central finite differences of the interpreter's loss (the generated backward pass, not the
 * interpreter's, is what is checked). The element-wise formulas, which the interpreter evaluates from
 * the same {@code Expr} the backends render, are checked against {@code java.lang.Math} here too.
 */
@org.junit.jupiter.api.Timeout(600)
class ReferenceTest {

    /** Small models covering every op and variant. */
    static final Map<String, String> ZOO = new java.util.LinkedHashMap<>();

    static {
        ZOO.put("anchors", """
                network anchors {
                    input x : 2x7x6;
                    target z : 3;
                    a = conv(x, 3, kernel: 3x3, anchor: (-1, 3));      // anchor outside the window (exclave)
                    b = conv(a, 2, kernel: 2x4);                       // even kernel, same
                    c = conv(b, 2, kernel: 3x2, stride: 2x2, padding: full);
                    d = conv(c, 2, kernel: 2x2, padding: valid, bias: false);
                    r = tanh(d);
                    f = full(r, 3);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                }
                """);
        ZOO.put("pools", """
                network pools {
                    input x : 2x9x8;
                    target z : 4;
                    c = conv(x, 3, kernel: 3x3, anchor: (1, 0));
                    m = maxpool(c, window: 3x3, stride: 2x2);           // overlapping
                    n = maxpool(c, window: 2x3, stride: 2x2, ceil: true);
                    a = avgpool(c, window: 2x2, stride: 3x3, ceil: true);  // gaps and a partial window
                    g = sigmoid(a);
                    f1 = full(m, 4);
                    f2 = full(n, 4);
                    f3 = full(g, 4);
                    s = add(f1, f2);
                    t = add(s, f3);
                    y = softmax(t);
                    loss cross_entropy(y, z);
                }
                """);
        ZOO.put("norms", """
                network norms {
                    input x : 3x5x5;
                    target z : 5;
                    c = conv(x, 4, kernel: 3x3);
                    e = bn(c);                                          // per element
                    r = relu(e);
                    k = bn(r, per: channel, momentum: 0.2);
                    j = concat(k, c, r);                                // fan-out: c and r feed two edges
                    d = conv(j, 2, kernel: 1x1, stride: 2x2);
                    f = full(d, 6);
                    s = softmax(f);
                    g = full(s, 5);                                     // a softmax without the loss
                    y = softmax(g);
                    loss cross_entropy(y, z);
                }
                """);
    }

    static Stream<Arguments> models() throws IOException {
        List<Arguments> out = new ArrayList<>();
        ZOO.forEach((name, text) -> out.add(Arguments.of(name, Models.model(name + ".cnn", text, 3))));
        try (Stream<Path> files = Files.list(Models.root().resolve("samples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cnn")).filter(cnnc.TestSamples::light).sorted().toList()) {
                out.add(Arguments.of(f.getFileName().toString(), Models.file(f, 4)));  // per-element bn at T = 2 is ill-conditioned
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void matchesReference(String name, Model m) {
        Network net = Models.network(m);
        Models.fill(net, 42);
        Map<String, double[]> sources = new HashMap<>();
        for (TensorSpec s : net.tensors()) {
            if (s.role() == TensorSpec.Role.PARAMETER || s.role() == TensorSpec.Role.INPUT || s.role() == TensorSpec.Role.TARGET) {
                sources.put(s.name(), toDouble(net.tensor(s.name())));
            }
        }
        net.forward();
        net.backward();
        Interpreter ref = reference(m, sources);
        ref.forward(true);
        for (Buffer b : m.forward().buffers(Role.ACTIVATION)) {
            close(name + " " + b.name(), ref.buffer(b.name()), net.tensor(b.name()), 1e-4);
        }
        for (Buffer b : m.forward().buffers(Role.PATH)) {
            assertArrayEquals(ref.path(b.name()), net.path(b.name()), name + " " + b.name());
        }
        close(name + " loss", new double[] {ref.loss()}, new float[] {net.loss()}, 1e-5);
        runningStats(name, m, net, ref);

        Random r = new Random(7);
        List<String> checked = new ArrayList<>();
        double base = ref.loss();
        for (TensorSpec s : net.tensors()) {
            if (s.role() != TensorSpec.Role.GRADIENT && s.role() != TensorSpec.Role.SENSITIVITY) {
                continue;
            }
            String target = s.name().substring("grad.".length());
            float[] g = net.tensor(s.name());
            int[] tries = new int[Math.min(40, 5 * g.length)];
            for (int k = 0; k < tries.length; k++) {
                tries[k] = r.nextInt(g.length);
            }
            int compared = compareWithFiniteDifferences(name + " " + s.name(), g, tries, Math.min(8, g.length), base,
                    (i, h) -> {
                        Interpreter moved = reference(m, sources);
                        moved.forwardNudged(target, i, h);
                        return moved.loss();
                    });
            if (compared > 0) {
                checked.add(s.name());
            }
        }
        assertTrue(checked.stream().anyMatch(c -> c.endsWith(".weight")), name + ": no weight gradient checked");
        assertTrue(checked.size() * 2 >= net.tensors().stream()
                .filter(s -> s.role() == TensorSpec.Role.GRADIENT || s.role() == TensorSpec.Role.SENSITIVITY).count(),
                name + ": fewer than half the gradients compared at any element: " + checked);
    }

    /** A fresh interpreter of {@code m} holding {@code sources}; bn's running statistics at their initial values, as the network's. */
    private static Interpreter reference(Model m, Map<String, double[]> sources) {
        Interpreter in = new Interpreter(m);
        in.load(sources);
        return in;
    }

    /** The reference loss with element {@code i} of a tensor moved by {@code h}. */
    interface Perturbed {
        double loss(int i, double h);
    }

    /**
     * Compares {@code g} at up to {@code want} of the elements {@code tries} with central finite
     * differences of {@code loss} (step 1e-5), skipping kinks (where the one-sided differences
     * disagree). The tolerance scales with the largest finite difference, the reference, never
     * with {@code g}: a wrong large gradient does not widen its own tolerance.
     *
     * @return how many elements were compared (0 when every one tried was a kink)
     */
    static int compareWithFiniteDifferences(String what, float[] g, int[] tries, int want, double base, Perturbed loss) {
        double h = 1e-5;
        List<int[]> at = new ArrayList<>();
        List<Double> fds = new ArrayList<>();
        for (int k = 0; k < tries.length && at.size() < want; k++) {
            int i = tries[k];
            double up = loss.loss(i, h);
            double down = loss.loss(i, -h);
            double right = up - base;
            double left = base - down;
            if (Math.abs(right - left) > 1e-2 * Math.max(Math.abs(right), Math.abs(left)) + 1e-12) {
                continue; // a kink (relu at 0, a max-pool tie): the one-sided derivatives differ
            }
            at.add(new int[] {i});
            fds.add((up - down) / (2 * h));
        }
        double scale = 0;
        for (double fd : fds) {
            scale = Math.max(scale, Math.abs(fd));
        }
        for (int k = 0; k < at.size(); k++) {
            int i = at.get(k)[0];
            double fd = fds.get(k);
            double err = Math.abs(fd - g[i]);
            if (!(err <= 2e-3 * Math.abs(fd) + 1e-3 * scale + 1e-6)) {
                throw new AssertionError(what + "[" + i + "]: generated " + g[i] + ", finite differences " + fd);
            }
        }
        return at.size();
    }

    /** The running statistics one training forward pass left, from mean 0 and variance 1 (the interpreter updates them). */
    private static void runningStats(String name, Model m, Network net, Interpreter ref) {
        for (Step s : m.forward().steps()) {
            if (s.op() instanceof BatchNorm) {
                for (int slot : new int[] {3, 4}) {
                    String stat = s.input(slot).name();
                    close(name + " " + stat, ref.buffer(stat), net.tensor(stat), 1e-4);
                }
            }
        }
    }

    /**
     * Every element-wise function's forward and backward formula, as the interpreter evaluates it,
     * against {@code java.lang.Math} written out here: the one thing the interpreter and the
     * backends share is the formula in the IR, so it is checked on its own.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Activation.Fn.class)
    void elementWiseFormulasMatchJavaMath(Activation.Fn fn) {
        double a = fn.param == null ? 0 : 0.3;
        Activation op = new Activation(fn, a);
        for (double x = -3; x <= 3; x += 0.125) {
            double y = switch (fn) {
                case RELU -> Math.max(0, x);
                case SIGMOID -> 1 / (1 + Math.exp(-x));
                case TANH -> Math.tanh(x);
                case LEAKY_RELU -> x > 0 ? x : a * x;
                case ELU -> x > 0 ? x : a * (Math.exp(x) - 1);
            };
            double dydx = switch (fn) {
                case RELU -> x > 0 ? 1 : 0;
                case SIGMOID -> y * (1 - y);
                case TANH -> 1 - Math.tanh(x) * Math.tanh(x);
                case LEAKY_RELU -> x > 0 ? 1 : a;
                case ELU -> x > 0 ? 1 : a * Math.exp(x);
            };
            assertEquals(y, op.forwardExpr().eval(x, 0, 0), 1e-12, fn + " at " + x);
            double dy = 0.7;
            double dx = op.readsOutput() ? op.backwardExpr().eval(0, y, dy) : op.backwardExpr().eval(x, 0, dy);
            assertEquals(dy * dydx, dx, 1e-12, fn + "' at " + x);
        }
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** |a - e| ≤ rel·|e| + rel·max|e| for every element. */
    static void close(String what, double[] expected, float[] actual, double rel) {
        assertTrue(expected.length == actual.length, what + ": lengths " + expected.length + " vs " + actual.length);
        double max = 0;
        for (double e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= rel * Math.abs(expected[i]) + rel * max + 1e-7)) {
                throw new AssertionError(what + "[" + i + "]: generated " + actual[i] + ", reference " + expected[i]);
            }
        }
    }
}
