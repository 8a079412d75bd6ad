package cnnc.ir;

import cnnc.ops.ForwardOp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a whole graph's invariants: every buffer read is defined before, none is written twice,
 * forward results have the shapes their ops' shape rules give, and every sensitivity or gradient
 * has the shape of its forward partner. A failure is a compiler bug, not a user error.
 */
public final class Verifier {

    private Verifier() {}

    /** Verifies a forward graph. */
    public static Graph forward(Graph g) {
        check(g, Map.of(), true);
        return g;
    }

    /** Verifies a backward graph against the forward graph it was derived from. */
    public static Graph backward(Graph forward, Graph backward) {
        check(backward, forward.buffers(), false);
        return backward;
    }

    private static void check(Graph g, Map<String, Buffer> partners, boolean isForward) {
        Map<String, Buffer> defined = new HashMap<>();
        for (Buffer b : g.sources()) {
            put(defined, b, "source");
        }
        for (Step s : g.steps()) {
            if ((s.op() instanceof ForwardOp) != isForward) {
                fail(s, "a " + (isForward ? "backward" : "forward") + " op in a " + (isForward ? "forward" : "backward") + " graph");
            }
            for (Buffer in : s.inputs()) {
                Buffer d = defined.get(in.name());
                if (d == null || !d.equals(in)) {
                    fail(s, "reads " + in.name() + " before it is defined (or with another shape)");
                }
            }
            for (Buffer out : s.outputs()) {
                put(defined, out, s.op().mnemonic());
                partner(s, out, partners);
            }
            if (s.op() instanceof ForwardOp op) {
                List<Shape> in = s.inputs().stream().filter(b -> b.role() == Role.INPUT || b.role() == Role.ACTIVATION
                        || b.role() == Role.TARGET).map(Buffer::shape).toList();
                if (!op.outShape(in).equals(s.output().shape())) {
                    fail(s, "writes " + s.output().shape() + " where its shape rule gives " + op.outShape(in));
                }
            }
        }
    }

    private static void partner(Step s, Buffer out, Map<String, Buffer> partners) {
        if (out.role() != Role.SENSITIVITY && out.role() != Role.GRADIENT && out.role() != Role.PARTIAL) {
            return;
        }
        Buffer partner = out.of() == null ? null : partners.get(out.of());
        if (partner == null || !partner.shape().equals(out.shape())) {
            fail(s, "writes " + out.name() + " " + out.shape() + " but its forward partner is " + partner);
        }
    }

    private static void put(Map<String, Buffer> defined, Buffer b, String by) {
        if (defined.putIfAbsent(b.name(), b) != null) {
            throw new IllegalStateException("graph verifier: " + b.name() + " is defined twice (again by " + by + ")");
        }
    }

    private static void fail(Step s, String what) {
        throw new IllegalStateException("graph verifier: " + s.op().mnemonic() + " for '" + s.node() + "' " + what);
    }
}
