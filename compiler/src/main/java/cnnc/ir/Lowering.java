package cnnc.ir;

import java.util.List;

/**
 * What the lowering passes decided for one step, which every backend renders and none decides:
 * the per-sample run it belongs to ({@code sample-runs}) and whether its computation is fused with
 * a neighbour's ({@code fuse-activations}, {@code fuse-bn-backward}). {@link #NONE} until those passes ran.
 *
 * @param run    the per-sample run: consecutive steps with the same run run their sample-wise parts
 *               one sample at a time, as one unit (a sample's maps stay in cache from step to step);
 *               {@code -1}: the step joins none
 * @param fusion whether this step computes, or is computed by, a neighbour
 */
public record Lowering(int run, Fusion fusion) {

    public static final Lowering NONE = new Lowering(-1, new Fusion.None());

    public Lowering {
        if (run < -1) {
            throw new IllegalArgumentException("run " + run);
        }
    }

    public Lowering withRun(int r) {
        return new Lowering(r, fusion);
    }

    public Lowering withFusion(Fusion f) {
        return new Lowering(run, f);
    }

    /** How a step shares its kernel with a neighbour. */
    public sealed interface Fusion {

        /** The step is computed alone. */
        record None() implements Fusion {}

        /**
         * The step also computes the activation step that alone reads its output, writing that
         * step's output {@code out} in the same pass over memory.
         */
        record Epilogue(Buffer out) implements Fusion {}

        /**
         * The step (bn_bf) also writes {@code outs}: the outputs of a step (bn_grad) made of sums it
         * computes anyway, from the same inputs, in the same order.
         */
        record Sums(List<Buffer> outs) implements Fusion {

            public Sums {
                outs = List.copyOf(outs);
            }

            /** {@code grad.n1.gamma, grad.n1.beta}: what the dumps show. */
            public String names() {
                return String.join(", ", outs.stream().map(Buffer::name).toList());
            }
        }

        /** The step (an activation, or bn_grad) is computed by the kernel of the step writing {@code by}. */
        record Absorbed(Buffer by) implements Fusion {}
    }

    /** {@code run 3; computes r1} for the dumps; empty for {@link #NONE}. */
    public String text() {
        String f = switch (fusion) {
            case Fusion.None n -> "";
            case Fusion.Epilogue e -> "computes " + e.out().name();
            case Fusion.Sums u -> "computes " + u.names();
            case Fusion.Absorbed a -> "computed by " + a.by().name();
        };
        String r = run < 0 ? "" : "run " + run;
        return r.isEmpty() || f.isEmpty() ? r + f : r + "; " + f;
    }
}
