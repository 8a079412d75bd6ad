package cnnc.cli;

import cnnc.interp.GradCheck;
import cnnc.interp.Interpreter;
import cnnc.interp.NetworkCandidate;
import cnnc.interp.Seeds;
import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.runtime.Network;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc gradcheck}: the generated backward code (float32) against central finite differences of
 * the float64 reference interpreter, on every parameter and input element (or a seeded sample of each
 * tensor's elements).
 *
 * <p>Tolerance: an element passes when {@code |a - n| <= atol + rtol·max(|a|, |n|)}. The numeric
 * side is float64 with {@code h = 1e-6} (truncation ~h², rounding ~1e-16/h: both below 1e-9), so the
 * error is the candidate's float32 arithmetic. Seeded values are O(1) and the loss is a mean
 * cross-entropy, so gradients are at most O(1) and every sum the code forms has terms of at most that
 * size: float32 rounds each to 6e-8 relative, and sums of up to ~10^4 terms (conv weight gradients,
 * bn's {@code ΔY - mean(ΔY) - x̂·mean(ΔY·x̂)} cancellation) leave absolute errors of a few 1e-6 — hence
 * {@code atol = 1e-5}. Elements larger than that are compared relatively, with {@code rtol = 1e-3},
 * ~10^4 float32 ulps: far above rounding, far below any formula mistake (a wrong index, a missing term
 * or a factor change errors by O(100%) of the element). Measured on the gradcheck models and samples:
 * worst ratios stay below 0.005 and absolute errors below 4e-7 (see docs/results.md).
 */
@Command(name = "gradcheck", description = "Check the generated backward code against float64 finite differences.")
final class GradCheckCommand implements Callable<Integer> {

    /**
     * Without --max-per-tensor: check every element if that takes about this many seconds of
     * interpreter time at most, else as many per tensor as fit (at least {@link #MIN_SAMPLE}).
     */
    static final double AUTO_SECONDS = 60;
    static final int MIN_SAMPLE = 5;

    static final double ATOL = 1e-5;
    static final double RTOL = 1e-3;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Mixin
    DeviceArgs device;

    @Option(names = "--max-per-tensor", paramLabel = "N",
            description = "Check at most N seeded-random elements of each tensor; 0 checks all (default: all if that takes "
                    + "about a minute at most, else as many per tensor as fit in a minute).")
    Integer maxPerTensor;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the random inputs, targets and weights (default 1).")
    long seed = 1;

    @Option(names = "--step", paramLabel = "H", description = "Step h of the central differences (default 1e-6).")
    double step = 1e-6;

    @Option(names = "--atol", paramLabel = "A", description = "Absolute tolerance (default " + ATOL + ").")
    double atol = ATOL;

    @Option(names = "--rtol", paramLabel = "R", description = "Relative tolerance (default " + RTOL + ").")
    double rtol = RTOL;

    @Override
    public Integer call() {
        device.check();
        if (maxPerTensor != null && maxPerTensor < 0) {
            throw new UserError("--max-per-tensor must be 0 (all) or more, found " + maxPerTensor);
        }
        if (!(step > 0) || !(atol >= 0) || !(rtol >= 0)) {
            throw new UserError("--step must be positive and --atol, --rtol not negative");
        }
        PrintWriter out = spec.commandLine().getOut();
        device.prepare();
        Model m = model.compile(model.options().withInputSensitivity(true));
        int sample = maxPerTensor != null ? maxPerTensor : autoSample(m, seed, out);
        Network net = device.build(m);
        try {
            GradCheck.Settings settings = GradCheck.Settings.defaults().withSeed(seed).withStep(step)
                    .withTolerance(new GradCheck.Tolerance(atol, rtol)).withMaxPerTensor(sample);
            GradCheck.Result result = check(m, net, settings);
            out.printf("generated code (float32, %s) against float64 central differences of the interpreter%n", device.describe(net));
            out.print(result.table());
            out.flush();
            return result.passed() ? 0 : 1;
        } finally {
            DeviceArgs.release(net);
        }
    }

    /** Checks {@code net}, compiled from {@code m}, at seeded values rounded to float. */
    static GradCheck.Result check(Model m, Network net, GradCheck.Settings settings) {
        Map<String, double[]> values = NetworkCandidate.roundToFloat(Seeds.values(m, settings.seed()));
        return GradCheck.check(m, new NetworkCandidate(net), values, settings);
    }

    /** Times one interpreter forward pass and picks how many elements per tensor fit in {@link #AUTO_SECONDS}; 0 for all. */
    private static int autoSample(Model m, long seed, PrintWriter out) {
        Interpreter interp = new Interpreter(m);
        interp.load(Seeds.values(m, seed));
        double pass = Double.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            long t = System.nanoTime();
            interp.forward(true);
            pass = Math.min(pass, (System.nanoTime() - t) / 1e9);
        }
        long elements = elements(m);
        if (elements * 2 * pass <= AUTO_SECONDS) {
            return 0;
        }
        int tensors = tensors(m);
        int n = (int) Math.max(MIN_SAMPLE, AUTO_SECONDS / (2 * pass * tensors));
        out.printf("note: %d elements in all at %.0f ms per interpreter pass; checking %d seeded elements per tensor "
                + "(--max-per-tensor 0 checks every one, in about %.0f min)%n", elements, pass * 1e3, n, elements * 2 * pass / 60);
        return n;
    }

    private static int tensors(Model m) {
        int n = 0;
        for (Buffer b : m.forward().sources()) {
            if (b.role() == Role.PARAMETER || b.role() == Role.INPUT) {
                n++;
            }
        }
        return n;
    }

    /** Elements of the parameters and the input: what a full check perturbs. */
    static long elements(Model m) {
        long n = 0;
        for (Buffer b : m.forward().sources()) {
            if (b.role() == Role.PARAMETER || b.role() == Role.INPUT) {
                n += b.shape().size();
            }
        }
        return n;
    }
}
