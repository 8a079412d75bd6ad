package cnnc.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cnnc.ir.Buffer;
import cnnc.ir.Role;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.SoftmaxCeBf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Properties every backward graph must have, over 400 seeded random networks ({@link RandomNetwork}),
 * each derived without and with input sensitivities. What the graph must hold is computed here from
 * the generator's own account of the network (which edge reads which tensor, which parameters it
 * trains), not from the autodiff's predicates. A failure prints the seed and the .cnn text; rerun one
 * seed with {@code -Dtest=BackwardGraphPropertyTest -Dcnnc.seed=N}.
 */
@org.junit.jupiter.api.Timeout(30)
class BackwardGraphPropertyTest {

    private static final int GRAPHS = 400;

    @TestFactory
    Stream<DynamicTest> randomNetworks() {
        String one = System.getProperty("cnnc.seed");
        LongStream seeds = one != null ? LongStream.of(Long.parseLong(one)) : LongStream.range(1, GRAPHS + 1);
        return seeds.boxed().flatMap(seed -> Stream.of(false, true).map(inputs ->
                DynamicTest.dynamicTest("seed " + seed + (inputs ? ", input sensitivity" : ""), () -> check(seed, inputs))));
    }

    /** The generator covers what the properties are about, so passing them means something. */
    @Test
    void generatorCoversTheOperationsAndTheirVariants() {
        Map<String, Integer> seen = new TreeMap<>();
        for (long seed = 1; seed <= GRAPHS; seed++) {
            RandomNetwork n = RandomNetwork.generate(seed);
            for (String feature : List.of("padding: valid", "padding: full", "padding: same", "anchor: (-", "stride: ",
                    "bias: false", "init: xavier", "per: channel", "= bn(", "= relu(", "= sigmoid(", "= tanh(", "= maxpool(",
                    "= avgpool(", "ceil: true", "= full(", "= add(", "= concat(")) {
                if (n.text.contains(feature)) {
                    seen.merge(feature, 1, Integer::sum);
                }
            }
            Expected e = new Expected(n, false);
            if (e.uses.values().stream().anyMatch(u -> u.size() > 1)) {
                seen.merge("fan-out", 1, Integer::sum);
            }
            if (n.edges.stream().anyMatch(ed -> ed.op().equals("add") && ed.inputs().get(0).equals(ed.inputs().get(1)))) {
                seen.merge("add(a, a)", 1, Integer::sum);
            }
            if (n.edges.stream().anyMatch(ed -> !e.reach.contains(ed.node()))) {
                seen.merge("dead branch", 1, Integer::sum);
            }
            if (n.edges.stream().anyMatch(ed -> e.reach.contains(ed.node()) && !e.depends.contains(ed.node()))) {
                seen.merge("untrained branch", 1, Integer::sum);
            }
        }
        for (String feature : List.of("padding: valid", "padding: full", "anchor: (-", "stride: ", "bias: false", "init: xavier",
                "per: channel", "= bn(", "= relu(", "= sigmoid(", "= tanh(", "= maxpool(", "= avgpool(", "ceil: true", "= full(",
                "= add(", "= concat(", "fan-out", "add(a, a)", "dead branch", "untrained branch")) {
            assertTrue(seen.getOrDefault(feature, 0) >= 10, "only " + seen.getOrDefault(feature, 0) + " networks with " + feature + ": " + seen);
        }
    }

    private static void check(long seed, boolean inputSensitivity) {
        RandomNetwork n = RandomNetwork.generate(seed);
        Compiled c = Compiled.of(n.text, inputSensitivity);
        try {
            Expected e = new Expected(n, inputSensitivity);
            forwardMatchesTheGenerator(n, c);
            exactlyTheNeededSensitivities(n, c, e);
            exactlyTheTrainedGradients(n, c, e);
            fanOutsAreAccumulated(n, c, e);
            readsFollowWrites(c);
        } catch (AssertionError err) {
            throw new AssertionError("seed " + seed + (inputSensitivity ? " with input sensitivity" : "") + ": " + err.getMessage()
                    + "\n--- .cnn\n" + n.text + "--- dump\n" + c.dump(), err);
        }
    }

    /** What the backward graph must hold, from the generator's account of the network alone. */
    static final class Expected {
        /** Tensors from which the loss can be reached (the softmax the loss reads, and everything upstream of it). */
        final Set<String> reach = new HashSet<>();
        /** Tensors computed from a trained parameter, or from an input whose sensitivity was asked for. */
        final Set<String> depends = new HashSet<>();
        /** For every tensor: the (edge, slot) pairs that read it and reach the loss, in .cnn order. */
        final Map<String, List<Use>> uses = new HashMap<>();
        final Set<String> sensitivities = new TreeSet<>();
        final Map<String, List<Integer>> gradients = new TreeMap<>();

        record Use(RandomNetwork.Edge edge, int slot) {}

        Expected(RandomNetwork n, boolean inputSensitivity) {
            reach.add(n.softmax);
            for (RandomNetwork.Edge e : n.edges.reversed()) {
                if (reach.contains(e.node())) {
                    reach.addAll(e.inputs());
                }
            }
            if (inputSensitivity) {
                depends.addAll(n.inputs);
            }
            for (RandomNetwork.Edge e : n.edges) {
                if (!e.trained().isEmpty() || e.inputs().stream().anyMatch(depends::contains)) {
                    depends.add(e.node());
                }
            }
            for (RandomNetwork.Edge e : n.edges) {
                for (int slot = 0; slot < e.inputs().size(); slot++) {
                    if (reach.contains(e.node())) {
                        uses.computeIfAbsent(e.inputs().get(slot), k -> new ArrayList<>()).add(new Use(e, slot));
                    }
                }
                if (reach.contains(e.node())) {
                    gradients.putAll(e.trained());
                }
            }
            for (String t : n.tensors.keySet()) {
                // the loss's softmax is fused with it: Δy is never materialized (docs/language.md §3)
                if (reach.contains(t) && depends.contains(t) && !t.equals(n.softmax)) {
                    sensitivities.add(t);
                }
            }
        }
    }

    private static void forwardMatchesTheGenerator(RandomNetwork n, Compiled c) {
        Map<String, Buffer> buffers = c.forward().buffers();
        for (RandomNetwork.Tensor t : n.tensors.values()) {
            Buffer b = buffers.get(t.name());
            assertNotNull(b, "the forward graph has no tensor " + t.name());
            assertEquals(t.dims(), b.shape().dims(), "shape of " + t.name());
        }
        for (RandomNetwork.Edge e : n.edges) {
            e.trained().forEach((name, shape) -> {
                assertNotNull(buffers.get(name), "the forward graph has no parameter " + name);
                assertEquals(Role.PARAMETER, buffers.get(name).role(), name);
                assertEquals(shape, buffers.get(name).shape().dims(), "shape of " + name);
            });
        }
    }

    private static void exactlyTheNeededSensitivities(RandomNetwork n, Compiled c, Expected e) {
        Map<String, Integer> written = new TreeMap<>();
        for (Step s : c.backward().steps()) {
            for (Buffer b : s.outputs()) {
                assertTrue(b.role() == Role.SENSITIVITY || b.role() == Role.PARTIAL || b.role() == Role.GRADIENT,
                        s.op().mnemonic() + " writes " + b.name() + " of role " + b.role());
                if (b.role() == Role.SENSITIVITY) {
                    written.merge(b.name(), 1, Integer::sum);
                }
            }
        }
        Set<String> expected = new TreeSet<>();
        e.sensitivities.forEach(t -> expected.add(Buffer.gradName(t)));
        assertEquals(expected, written.keySet(), "the sensitivities");
        written.forEach((name, count) -> assertEquals(1, count, name + " is written " + count + " times"));
        Map<String, Step> writers = c.writers();
        for (String t : e.sensitivities) {
            Buffer b = writers.get(Buffer.gradName(t)).outputs().stream().filter(o -> o.name().equals(Buffer.gradName(t))).findFirst().orElseThrow();
            assertEquals(n.tensors.get(t).dims(), b.shape().dims(), "shape of " + b.name());
        }
        assertFalse(writers.containsKey(Buffer.gradName(n.target)), "the target got a sensitivity");
        assertFalse(writers.containsKey(Buffer.gradName(n.softmax)), "the loss's softmax output got a sensitivity");
    }

    private static void exactlyTheTrainedGradients(RandomNetwork n, Compiled c, Expected e) {
        Map<String, List<Integer>> written = new TreeMap<>();
        for (Step s : c.backward().steps()) {
            for (Buffer b : s.outputs()) {
                if (b.role() == Role.GRADIENT) {
                    assertFalse(written.containsKey(b.name()), b.name() + " is written twice");
                    written.put(b.name(), b.shape().dims());
                }
            }
        }
        Map<String, List<Integer>> expected = new TreeMap<>();
        e.gradients.forEach((p, shape) -> expected.put(Buffer.gradName(p), shape));
        assertEquals(expected, written, "the parameter gradients (name -> shape)");
        for (String s : n.state) {
            assertFalse(written.containsKey(Buffer.gradName(s)), "bn running statistic " + s + " got a gradient");
        }
    }

    /**
     * A tensor read by several edges that reach the loss gets one accumulate over one partial per
     * (edge, slot), in .cnn order, each written by that edge's backward step; a tensor read once
     * gets its sensitivity straight from its one reader's backward step.
     */
    private static void fanOutsAreAccumulated(RandomNetwork n, Compiled c, Expected e) {
        Map<String, Step> writers = c.writers();
        int fanOuts = 0;
        for (String t : e.sensitivities) {
            List<Expected.Use> uses = e.uses.get(t);
            Step writer = writers.get(Buffer.gradName(t));
            Set<String> partials = new TreeSet<>();
            for (String name : writers.keySet()) {
                if (name.startsWith(Buffer.gradName(t) + "~")) {
                    partials.add(name);
                }
            }
            if (uses.size() == 1) {
                assertFalse(writer.op() instanceof Accumulate, "Δ" + t + " has one reader but an accumulate");
                assertTrue(partials.isEmpty(), "Δ" + t + " has one reader but partials " + partials);
                assertEquals(writerNode(n, uses.get(0)), writer.node(), "the step writing Δ" + t);
                continue;
            }
            fanOuts++;
            Accumulate acc = assertInstanceOf(Accumulate.class, writer.op(), "Δ" + t + " has " + uses.size() + " readers");
            assertEquals(uses.size(), acc.count(), "accumulate count for Δ" + t);
            assertEquals(uses.size(), writer.inputs().size(), "accumulate inputs for Δ" + t);
            Set<String> distinct = new LinkedHashSet<>();
            for (int i = 0; i < uses.size(); i++) {
                Buffer part = writer.input(i);
                assertEquals(Role.PARTIAL, part.role(), "accumulate input " + part.name());
                assertEquals(n.tensors.get(t).dims(), part.shape().dims(), "shape of " + part.name());
                assertTrue(part.name().startsWith(Buffer.gradName(t) + "~"), part.name() + " is not a partial of Δ" + t);
                Step from = writers.get(part.name());
                assertNotNull(from, "nothing writes " + part.name());
                assertEquals(writerNode(n, uses.get(i)), from.node(), "partial " + i + " of Δ" + t + " (readers in .cnn order)");
                distinct.add(part.name());
            }
            assertEquals(uses.size(), distinct.size(), "the partials of Δ" + t + " are not distinct: " + writer.inputs());
            assertEquals(distinct, partials, "every partial of Δ" + t + " is summed, and only those");
        }
        long accumulates = c.backward().steps().stream().filter(s -> s.op() instanceof Accumulate).count();
        assertEquals(fanOuts, accumulates, "accumulate steps");
    }

    /** The backward step for a use: the edge's own, but the loss's for the softmax fused with it. */
    private static String writerNode(RandomNetwork n, Expected.Use use) {
        return use.edge().node().equals(n.softmax) ? "loss" : use.edge().node();
    }

    /**
     * Every step reads forward buffers or what an earlier backward step wrote; nothing is written
     * twice; the graph's sources are forward buffers; a partial is read once, by its accumulate; an
     * activation's sensitivity is read by its producer's backward; the backward graph starts with
     * softmax_ce_bf when it has any step.
     */
    private static void readsFollowWrites(Compiled c) {
        Map<String, Buffer> forward = c.forward().buffers();
        for (Buffer b : c.backward().sources()) {
            assertEquals(b, forward.get(b.name()), "backward source " + b.name() + " is not a forward buffer");
        }
        Set<String> written = new HashSet<>();
        Set<String> read = new HashSet<>();
        Map<String, Integer> partialReads = new HashMap<>();
        List<Step> steps = c.backward().steps();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            for (Buffer in : s.inputs()) {
                read.add(in.name());
                boolean backwardRole = in.role() == Role.SENSITIVITY || in.role() == Role.PARTIAL || in.role() == Role.GRADIENT;
                if (backwardRole ? !written.contains(in.name()) : !in.equals(forward.get(in.name()))) {
                    fail("step " + i + " (" + s.op().mnemonic() + " for '" + s.node() + "') reads " + in.name() + " before it is defined");
                }
                if (in.role() == Role.PARTIAL) {
                    partialReads.merge(in.name(), 1, Integer::sum);
                    assertInstanceOf(Accumulate.class, s.op(), "only an accumulate reads the partial " + in.name());
                }
            }
            for (Buffer out : s.outputs()) {
                assertTrue(written.add(out.name()), out.name() + " is written twice");
                assertFalse(forward.containsKey(out.name()), out.name() + " overwrites a forward buffer");
            }
        }
        for (String name : written) {
            if (name.contains("~")) {
                assertEquals(1, partialReads.getOrDefault(name, 0), "reads of partial " + name);
            }
            Buffer partner = forward.get(name.substring("grad.".length()));
            if (partner != null && partner.role() == Role.ACTIVATION) {
                assertTrue(read.contains(name), name + " is computed but never used");
            }
        }
        if (!steps.isEmpty()) {
            assertInstanceOf(SoftmaxCeBf.class, steps.get(0).op(), "the first backward step");
        }
    }
}
