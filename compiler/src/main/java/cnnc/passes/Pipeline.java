package cnnc.passes;

import cnnc.autodiff.Autodiff;
import cnnc.diag.SourceFile;
import cnnc.front.GraphBuilder;
import cnnc.front.Options;
import cnnc.inspect.TextDump;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ir.Verifier;
import cnnc.ops.Conv;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The compiler's passes, in order, in one place. Each is a pure {@code Model -> Model} function;
 * {@link #compile} can print the IR after every pass ({@code cnnc dump --trace}). The last four are
 * the lowering decisions the backends render and none makes: each convolution's kernel
 * ({@link ConvKernels}), the per-sample runs ({@link SampleRuns}), the conv+relu fusion
 * ({@link FuseActivations}) and bn's shared backward sums ({@link FuseBnBackward}). A backend given
 * a model that skipped them refuses it.
 */
public final class Pipeline {

    private Pipeline() {}

    /** The passes for a model built with {@code options}. */
    public static List<Pass> passes(Options options) {
        List<Pass> passes = new ArrayList<>();
        passes.add(new Pass("verify-forward", m -> {
            Verifier.forward(m.forward());
            return m;
        }));
        if (options.training()) {
            passes.add(new Pass("autodiff", m -> Autodiff.derive(m, options.inputSensitivity())));
            passes.add(new Pass("verify-backward", m -> {
                Verifier.backward(m.forward(), m.backwardGraph());
                return m;
            }));
        }
        Conv.Algo forced = ConvKernels.forced();
        passes.add(new Pass("conv-kernels", m -> ConvKernels.run(m, forced)));
        passes.add(new Pass("sample-runs", SampleRuns::run));
        passes.add(new Pass("fuse-activations", FuseActivations::run));
        passes.add(new Pass("fuse-bn-backward", FuseBnBackward::run));
        return passes;
    }

    /** Parses, checks and runs every pass; {@code trace} (may be null) gets the IR text after each. */
    public static Model compile(SourceFile source, Options options, Consumer<String> trace) {
        Model model = GraphBuilder.build(source, options);
        for (Pass pass : passes(options)) {
            model = pass.run().apply(model);
            if (trace != null) {
                trace.accept("// after " + pass.name() + "\n" + TextDump.render(model, model.backward().isPresent()));
            }
        }
        return model;
    }

    /**
     * Checks that {@code m} went through the lowering passes (what backends render).
     *
     * @throws IllegalArgumentException naming a step that did not
     */
    public static void requireLowered(Model m) {
        List<Step> steps = new ArrayList<>(m.forward().steps());
        m.backward().ifPresent(g -> steps.addAll(g.steps()));
        for (Step s : steps) {
            if (s.lowering().run() < 0) {
                throw new IllegalArgumentException(m.name() + ": " + s.op().mnemonic() + " '" + s.node()
                        + "' was not lowered: compile the model with cnnc.passes.Pipeline.compile");
            }
        }
    }

    public static Model compile(SourceFile source, Options options) {
        return compile(source, options, null);
    }
}
