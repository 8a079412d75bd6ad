package cnnc.interp;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Gradient check of a {@link Candidate} against float64 central differences of the reference
 * interpreter's loss: {@code ∂J/∂v ≈ (J(v+h) - J(v-h)) / 2h} for every element of every parameter
 * and, where the backward graph derives {@code grad.<input>}, of the input.
 *
 * <p>Both see the same seeded values ({@link Seeds}). An element whose perturbation crosses a kink
 * (a relu input changes sign, a max-pool winner changes) has no derivative to compare and is
 * skipped and counted. Each tensor's report gives its worst error; {@link Result#table} prints them.
 */
public final class GradCheck {

    private GradCheck() {}

    /** An element passes when {@code |a - n| <= atol + rtol·max(|a|, |n|)}. */
    public record Tolerance(double atol, double rtol) {

        /** For a float64 candidate (the interpreter itself). */
        public static final Tolerance FLOAT64 = new Tolerance(1e-6, 1e-5);

        /** How far an element is from failing: at most 1 passes. */
        public double ratio(double analytic, double numeric) {
            return Math.abs(analytic - numeric) / (atol + rtol * Math.max(Math.abs(analytic), Math.abs(numeric)));
        }
    }

    /**
     * @param seed         for {@link Seeds#values} (and for choosing elements when sampling)
     * @param step         {@code h} of the central differences
     * @param maxPerTensor check at most this many seeded-random elements of a tensor; 0: all
     */
    public record Settings(long seed, double step, Tolerance tolerance, int maxPerTensor) {

        public static Settings defaults() {
            return new Settings(1, 1e-6, Tolerance.FLOAT64, 0);
        }

        public Settings withSeed(long s) {
            return new Settings(s, step, tolerance, maxPerTensor);
        }

        public Settings withStep(double h) {
            return new Settings(seed, h, tolerance, maxPerTensor);
        }

        public Settings withTolerance(Tolerance t) {
            return new Settings(seed, step, t, maxPerTensor);
        }

        public Settings withMaxPerTensor(int n) {
            return new Settings(seed, step, tolerance, n);
        }
    }

    /**
     * One tensor's check. {@code maxRelError} is {@code |a-n| / max(|a|,|n|)} over the elements
     * where that max exceeds the tolerance's {@code atol} (smaller values are all noise);
     * {@code worst*} describe the element closest to failing.
     *
     * @param derived false for a parameter without a gradient buffer (it does not reach the loss):
     *                its analytic gradient is taken as 0
     */
    public record TensorReport(String name, Shape shape, boolean derived, int checked, int skipped, double maxAbsError,
                               double maxRelError, int worstIndex, double worstAnalytic, double worstNumeric, double worstRatio) {

        public boolean passed() {
            return worstRatio <= 1;
        }
    }

    /** The whole check: the loss both computed, and every tensor's report. */
    public record Result(String network, int batch, Settings settings, double referenceLoss, double candidateLoss,
                         List<TensorReport> tensors, List<String> notes) {

        public boolean lossMatches() {
            return settings.tolerance().ratio(candidateLoss, referenceLoss) <= 1;
        }

        public boolean passed() {
            return lossMatches() && tensors.stream().allMatch(TensorReport::passed);
        }

        public TensorReport tensor(String name) {
            return tensors.stream().filter(t -> t.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no report for " + name));
        }

        /** A readable table, one line per tensor, then PASS or FAIL. */
        public String table() {
            Tolerance tol = settings.tolerance();
            StringBuilder s = new StringBuilder();
            s.append(String.format("gradcheck %s, batch %d, seed %d, h %.1e, pass: |a-n| <= %.1e + %.1e·max(|a|,|n|)%n",
                    network, batch, settings.seed(), settings.step(), tol.atol(), tol.rtol()));
            s.append(String.format("%-22s %-12s %8s %8s %11s %11s %9s  %s%n",
                    "tensor", "shape", "checked", "skipped", "max |a-n|", "max rel", "ratio", "worst element (analytic vs numeric)"));
            s.append(String.format("%-22s %-12s %8d %8d %11.3e %11s %9.2e  %s%n", "loss", "1", 1, 0,
                    Math.abs(candidateLoss - referenceLoss), "", tol.ratio(candidateLoss, referenceLoss),
                    String.format("%.10g vs %.10g%s", candidateLoss, referenceLoss, lossMatches() ? "" : "  FAIL")));
            for (TensorReport t : tensors) {
                String worst = t.checked() == 0 ? "-" : String.format("[%d] %.6e vs %.6e%s%s", t.worstIndex(), t.worstAnalytic(),
                        t.worstNumeric(), t.derived() ? "" : " (no gradient buffer: 0)", t.passed() ? "" : "  FAIL");
                s.append(String.format("%-22s %-12s %8d %8d %11.3e %11.3e %9.2e  %s%n", t.name(), t.shape(), t.checked(),
                        t.skipped(), t.maxAbsError(), t.maxRelError(), t.worstRatio(), worst));
            }
            notes.forEach(n -> s.append("note: ").append(n).append('\n'));
            long failed = tensors.stream().filter(t -> !t.passed()).count() + (lossMatches() ? 0 : 1);
            s.append(failed == 0 ? "PASS" : "FAIL: " + failed + " of " + (tensors.size() + 1)).append('\n');
            return s.toString();
        }
    }

    public static Result check(Model model, Candidate candidate) {
        return check(model, candidate, Settings.defaults());
    }

    /** Checks at the seeded values of {@link Seeds#values}. */
    public static Result check(Model model, Candidate candidate, Settings settings) {
        return check(model, candidate, Seeds.values(model, settings.seed()), settings);
    }

    /**
     * Checks at the given values (every forward source by name: inputs, target, parameters, bn
     * state); the candidate runs once, the interpreter twice per checked element.
     */
    public static Result check(Model model, Candidate candidate, Map<String, double[]> values, Settings settings) {
        if (model.loss() == null || model.backward().isEmpty()) {
            throw new IllegalArgumentException("gradcheck needs a training build of " + model.name() + ": a loss and a backward graph");
        }
        candidate.load(values);
        candidate.forwardBackward();
        double candidateLoss = candidate.read(model.loss().name())[0];

        Interpreter interp = new Interpreter(model);
        interp.load(values);
        interp.forward(true);
        double referenceLoss = interp.loss();
        int[] baseKinks = kinks(interp);

        Set<String> derived = model.backwardGraph().buffers().keySet();
        List<TensorReport> reports = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Buffer b : model.forward().sources()) {
            boolean has = derived.contains(Buffer.gradName(b.name()));
            if (b.role() == Role.INPUT && !has) {
                notes.add(b.name() + " not checked: no " + Buffer.gradName(b.name())
                        + " (compile with Options.withInputSensitivity(true))");
            }
            if (b.role() == Role.PARAMETER || b.role() == Role.INPUT && has) {
                double[] analytic = has ? candidate.read(Buffer.gradName(b.name())) : new double[(int) b.shape().size()];
                reports.add(tensor(interp, b, analytic, has, baseKinks, settings));
            }
        }
        return new Result(model.name(), model.batch(), settings, referenceLoss, candidateLoss, reports, notes);
    }

    private static TensorReport tensor(Interpreter interp, Buffer b, double[] analytic, boolean derived, int[] baseKinks,
                                       Settings settings) {
        if (analytic.length != b.shape().size()) {
            throw new IllegalArgumentException("the candidate's gradient of " + b.name() + " has " + analytic.length
                    + " values, not " + b.shape().size());
        }
        double h = settings.step();
        Tolerance tol = settings.tolerance();
        double[] v = interp.buffer(b.name());
        int checked = 0;
        int skipped = 0;
        double maxAbs = 0;
        double maxRel = 0;
        double worstRatio = 0;
        int worst = -1;
        double worstNumeric = 0;
        for (int e : elements(b, settings)) {
            double original = v[e];
            v[e] = original + h;
            interp.forward(true);
            double plus = interp.loss();
            boolean smooth = java.util.Arrays.equals(baseKinks, kinks(interp));
            v[e] = original - h;
            interp.forward(true);
            double minus = interp.loss();
            smooth &= java.util.Arrays.equals(baseKinks, kinks(interp));
            v[e] = original;
            if (!smooth) {
                skipped++;
                continue;
            }
            checked++;
            double numeric = (plus - minus) / (2 * h);
            double a = analytic[e];
            double err = Math.abs(a - numeric);
            double big = Math.max(Math.abs(a), Math.abs(numeric));
            maxAbs = Math.max(maxAbs, err);
            if (big > tol.atol()) {
                maxRel = Math.max(maxRel, err / big);
            }
            double ratio = tol.ratio(a, numeric);
            if (worst < 0 || ratio > worstRatio || Double.isNaN(ratio)) {
                worstRatio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
                worst = e;
                worstNumeric = numeric;
            }
        }
        return new TensorReport(b.name(), b.shape(), derived, checked, skipped, maxAbs, maxRel, worst,
                worst < 0 ? 0 : analytic[worst], worstNumeric, worstRatio);
    }

    /** All element indices, or a seeded sorted sample of {@code maxPerTensor} of them. */
    private static int[] elements(Buffer b, Settings settings) {
        int size = (int) b.shape().size();
        if (settings.maxPerTensor() <= 0 || size <= settings.maxPerTensor()) {
            return IntStream.range(0, size).toArray();
        }
        Random random = new Random(settings.seed() * 31 + b.name().hashCode());
        TreeSet<Integer> chosen = new TreeSet<>();
        while (chosen.size() < settings.maxPerTensor()) {
            chosen.add(random.nextInt(size));
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Where the loss is not differentiable: every max-pool path tensor and, for every element-wise
     * function with kinks, the piece each input lies on ({@link Activation#piece}). Two runs with
     * equal kinks lie on one smooth piece.
     */
    static int[] kinks(Interpreter interp) {
        IntStream.Builder out = IntStream.builder();
        for (Step s : interp.model().forward().steps()) {
            if (s.op() instanceof Pool p && p.max()) {
                for (int w : interp.path(s.outputs().get(1).name())) {
                    out.add(w);
                }
            } else if (s.op() instanceof Activation a && a.kinked()) {
                for (double x : interp.buffer(s.input(0).name())) {
                    out.add(a.piece(x));
                }
            }
        }
        return out.build().toArray();
    }
}
