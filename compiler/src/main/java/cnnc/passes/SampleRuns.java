package cnnc.passes;

import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import cnnc.ops.Add;
import cnnc.ops.AddBf;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.BatchNorm;
import cnnc.ops.BiasGrad;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import cnnc.ops.Concat;
import cnnc.ops.ConcatBf;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;
import cnnc.ops.Dropout;
import cnnc.ops.DropoutBf;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Op;
import cnnc.ops.Pool;
import cnnc.ops.Softmax;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code sample-runs} pass: cuts each graph into <em>per-sample runs</em>, recorded in every
 * step's {@link cnnc.ir.Lowering#run}. Inside a run the sample-wise parts of consecutive steps may
 * run one sample at a time as one unit, so a sample's maps stay in cache from one step to the next
 * and the threads meet once instead of once per step (on LeNet-5 that was 18% of a training step,
 * docs/performance.md); the arithmetic is unchanged, each sample's steps run in the same order.
 *
 * <p>A run is a sequence of steps whose sample {@code t} of output depends only on sample {@code t}
 * of their inputs (and on parameters), closed by the first step that mixes samples — a sum over the
 * batch (bn's statistics, weight gradients, the loss): that step's per-sample reading (a padded copy
 * of its input, sample by sample) still joins the run, its sum does not, and the next step starts a
 * new run. The Java backend renders a run as one {@code s<i>_by_sample} method for every stretch of
 * by-sample phases inside it; phases in different runs never join.
 */
public final class SampleRuns {

    private SampleRuns() {}

    public static Model run(Model m) {
        int[] next = {0};
        Graph fwd = map(m.forward(), next);
        return m.withGraphs(fwd, m.backward().map(g -> map(g, next)));
    }

    /** Numbers the runs of {@code g} from {@code next[0]} (forward runs first, then backward: one numbering per model). */
    private static Graph map(Graph g, int[] next) {
        List<Step> steps = new ArrayList<>();
        boolean open = false;
        for (Step s : g.steps()) {
            steps.add(s.withLowering(s.lowering().withRun(next[0])));
            open = !mixesSamples(s.op());
            if (!open) {
                next[0]++;
            }
        }
        if (open) {
            next[0]++;
        }
        return new Graph(g.sources(), steps);
    }

    /**
     * Whether sample {@code t} of {@code op}'s output depends on other samples of its inputs: a
     * statistic or sum over the batch. Exhaustive, so a new operation must answer.
     */
    static boolean mixesSamples(Op op) {
        return switch (op) {
            case BatchNorm x -> true;  // batch statistics (training; forward() and infer() share the schedule)
            case BnBf x -> true;       // ΔX reads Σ_t over the batch
            case BnGrad x -> true;
            case ConvGrad x -> true;   // ΔW = Σ_t ...
            case FullGrad x -> true;
            case DeconvGrad x -> true;
            case BiasGrad x -> true;
            case CrossEntropy x -> true; // the loss sums over the batch
            case Conv x -> false;
            case ConvBf x -> false;
            case Deconv x -> false;
            case DeconvBf x -> false;
            case Full x -> false;
            case FullBf x -> false;
            case Pool x -> false;
            case MaxPoolBf x -> false;
            case AvgPoolBf x -> false;
            case Activation x -> false;
            case ActivationBf x -> false;
            case Dropout x -> false;   // the mask of element (t, ...) is a hash of t: no state across samples
            case DropoutBf x -> false;
            case Softmax x -> false;
            case SoftmaxBf x -> false;
            case SoftmaxCeBf x -> false; // (y - z) / T per sample: T is a constant
            case Add x -> false;
            case AddBf x -> false;
            case Concat x -> false;
            case ConcatBf x -> false;
            case Accumulate x -> false;
        };
    }
}
