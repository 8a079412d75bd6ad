package cnnc.autodiff;

import cnnc.diag.Pos;
import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.Backprop;
import cnnc.ops.ForwardOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reverse-mode differentiation of a forward graph: a generic reverse walk with no op-specific code.
 * Each forward step's own backward rule ({@link ForwardOp#backward}) returns the steps computing its
 * input sensitivities and parameter gradients; the walk decides what is needed, names the buffers,
 * and sums the contributions of a tensor that feeds several edges (an explicit {@link Accumulate},
 * in .cnn order).
 *
 * <p>A tensor needs a sensitivity when it reaches the loss and depends on a parameter (or on an
 * input whose sensitivity was asked for). Targets never get one.
 */
public final class Autodiff implements Backprop {

    private final Graph forward;
    private final Set<String> reachesLoss = new HashSet<>();
    private final Set<String> dependsOnTrained = new HashSet<>();
    /** For every tensor needing a sensitivity: the (step, slot) pairs whose backward contributes to it, in forward order. */
    private final Map<String, List<Use>> uses = new LinkedHashMap<>();
    private final Map<String, Map<Use, Buffer>> partials = new HashMap<>();
    private final Set<Step> fused = new HashSet<>();
    private final Map<String, Step> producers = new HashMap<>();

    private record Use(Step step, int slot) {}

    private Autodiff(Graph forward, Set<String> sensitiveInputs) {
        this.forward = forward;
        forward.steps().forEach(s -> s.outputs().forEach(o -> producers.put(o.name(), s)));
        analyze(sensitiveInputs);
    }

    /** The model with its backward graph; {@code inputSensitivity} also derives {@code ΔX} for the inputs. */
    public static Model derive(Model model, boolean inputSensitivity) {
        Set<String> inputs = new HashSet<>();
        if (inputSensitivity) {
            model.forward().sources().stream().filter(b -> b.role() == Role.INPUT).forEach(b -> inputs.add(b.name()));
        }
        return model.withBackward(derive(model.forward(), inputs));
    }

    public static Graph derive(Graph forward, Set<String> sensitiveInputs) {
        return new Autodiff(forward, sensitiveInputs).walk();
    }

    private void analyze(Set<String> sensitiveInputs) {
        for (Step s : forward.steps()) {
            boolean depends = s.inputs().stream().anyMatch(b -> b.role() == Role.PARAMETER
                    || dependsOnTrained.contains(b.name()) || sensitiveInputs.contains(b.name()));
            if (depends) {
                s.outputs().forEach(o -> dependsOnTrained.add(o.name()));
            }
        }
        sensitiveInputs.forEach(dependsOnTrained::add);
        List<Step> reversed = forward.steps().reversed();
        for (Step s : reversed) {
            if (s.output().role() == Role.LOSS || reachesLoss.contains(s.output().name())) {
                s.outputs().forEach(o -> reachesLoss.add(o.name()));
                s.inputs().forEach(i -> reachesLoss.add(i.name()));
            }
        }
        for (Step s : forward.steps()) {
            if (runs(s)) {
                for (int slot = 0; slot < s.inputs().size(); slot++) {
                    if (needs(s.input(slot)) && ((ForwardOp) s.op()).differentiates(slot)) {
                        uses.computeIfAbsent(s.input(slot).name(), k -> new ArrayList<>()).add(new Use(s, slot));
                    }
                }
            }
        }
    }

    /** Whether a forward step's backward rule runs: it is the loss, or its result needs a sensitivity. */
    private boolean runs(Step s) {
        return s.output().role() == Role.LOSS || needs(s.output());
    }

    private Graph walk() {
        List<Step> steps = new ArrayList<>();
        for (Step s : forward.steps().reversed()) {
            if (fused.contains(s) || !runs(s)) {
                continue;
            }
            for (Buffer out : s.outputs()) {
                accumulate(out, s.node(), s.pos()).ifPresent(steps::add);
            }
            steps.addAll(((ForwardOp) s.op()).backward(this, s));
        }
        // An input has no producer step: one whose sensitivity was asked for is summed last,
        // citing the statement of its first consumer.
        for (Buffer in : forward.sources()) {
            if (needs(in) && uses.containsKey(in.name())) {
                accumulate(in, in.name(), uses.get(in.name()).get(0).step().pos()).ifPresent(steps::add);
            }
        }
        return new Graph(sourcesOf(steps), steps);
    }

    /** The sum of a fanned-out tensor's partial sensitivities, in forward order of its consumers. */
    private Optional<Step> accumulate(Buffer out, String node, Pos pos) {
        List<Use> list = uses.getOrDefault(out.name(), List.of());
        if (list.size() < 2) {
            return Optional.empty();
        }
        Map<Use, Buffer> written = partials.getOrDefault(out.name(), Map.of());
        List<Buffer> parts = list.stream().map(written::get).toList();
        if (parts.contains(null)) {
            throw new IllegalStateException("a backward rule did not contribute to Δ" + out.name() + ": " + written.keySet());
        }
        return Optional.of(new Step(new Accumulate(parts.size()), parts, List.of(sensitivity(out)), node, pos));
    }

    private static List<Buffer> sourcesOf(List<Step> steps) {
        Set<String> written = new HashSet<>();
        Map<String, Buffer> sources = new LinkedHashMap<>();
        for (Step s : steps) {
            for (Buffer in : s.inputs()) {
                if (!written.contains(in.name())) {
                    sources.putIfAbsent(in.name(), in);
                }
            }
            s.outputs().forEach(o -> written.add(o.name()));
        }
        return List.copyOf(sources.values());
    }

    @Override
    public boolean needs(Buffer x) {
        return (x.role() == Role.ACTIVATION || x.role() == Role.INPUT)
                && reachesLoss.contains(x.name()) && dependsOnTrained.contains(x.name());
    }

    @Override
    public Buffer sensitivity(Buffer y) {
        return Buffer.derivative(y, Role.SENSITIVITY, "");
    }

    @Override
    public Buffer contribution(Step step, int slot) {
        Buffer x = step.input(slot);
        List<Use> list = uses.get(x.name());
        Use use = new Use(step, slot);
        if (list == null || !list.contains(use)) {
            throw new IllegalStateException(step.op().mnemonic() + " contributes to Δ" + x.name() + " which needs none");
        }
        if (list.size() == 1) {
            return sensitivity(x);
        }
        boolean twice = list.stream().filter(u -> u.step() == step).count() > 1;
        Buffer partial = Buffer.derivative(x, Role.PARTIAL, "~" + step.node() + (twice ? "." + slot : ""));
        partials.computeIfAbsent(x.name(), k -> new HashMap<>()).put(use, partial);
        return partial;
    }

    @Override
    public Buffer gradient(Buffer param) {
        return Buffer.derivative(param, Role.GRADIENT, "");
    }

    @Override
    public Step producer(Buffer x) {
        return producers.get(x.name());
    }

    @Override
    public void fuse(Step step) {
        fused.add(step);
    }
}
