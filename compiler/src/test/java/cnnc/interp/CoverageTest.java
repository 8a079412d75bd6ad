package cnnc.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.BatchNorm;
import cnnc.ops.Conv;
import cnnc.ops.Full;
import cnnc.ops.Op;
import cnnc.ops.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The models of {@link GradientTest} run every operation of {@code cnnc.ops}, forward and backward,
 * and every variant docs/language.md §3 distinguishes: a new op or a dropped model fails here.
 */
@org.junit.jupiter.api.Timeout(30)
class CoverageTest {

    private static final Set<String> VARIANTS = Set.of(
            "conv anchor negative", "conv anchor past the kernel", "conv stride > 1", "conv stride > kernel", "conv even kernel",
            "conv asymmetric kernel", "conv without bias", "conv same", "conv valid", "conv full",
            "maxpool overlapping", "maxpool gaps", "maxpool ceil partial window",
            "avgpool overlapping", "avgpool gaps", "avgpool ceil partial window",
            "bn per element", "bn per channel", "relu", "sigmoid", "tanh", "leaky_relu", "elu", "full without bias", "full of a 3-D tensor",
            "softmax without loss", "loss per pixel", "fan-out", "input fan-out", "one edge reads a tensor twice",
            "parameter without gradient",
            "deconv stride 1", "deconv stride > 1", "deconv stride > kernel", "deconv padding", "deconv output_padding",
            "deconv asymmetric kernel", "deconv without bias", "dropout", "dropout of a vector");

    @Test
    void everyOperationRuns() {
        Set<String> expected = new TreeSet<>();
        leaves(Op.class, expected);
        Set<String> seen = new TreeSet<>();
        for (String name : Models.GRADCHECK) {
            Model m = Models.gradcheck(name);
            m.forward().steps().forEach(s -> seen.add(s.op().getClass().getSimpleName()));
            m.backwardGraph().steps().forEach(s -> seen.add(s.op().getClass().getSimpleName()));
        }
        assertEquals(expected, seen);
    }

    @Test
    void everyVariantRuns() {
        Set<String> seen = new TreeSet<>();
        for (String name : Models.GRADCHECK) {
            variants(Models.gradcheck(name), seen);
        }
        assertEquals(new TreeSet<>(VARIANTS), seen);
    }

    private static void leaves(Class<?> type, Set<String> out) {
        if (type.isSealed()) {
            for (Class<?> sub : type.getPermittedSubclasses()) {
                leaves(sub, out);
            }
        } else {
            out.add(type.getSimpleName());
        }
    }

    private static void variants(Model m, Set<String> seen) {
        for (Step s : m.forward().steps()) {
            Shape x = s.input(0).shape();
            List<String> v = new ArrayList<>();
            switch (s.op()) {
                case Conv c -> {
                    add(v, c.pt() < 0 || c.pl() < 0 || c.pb() < 0 || c.pr() < 0, "conv anchor negative");
                    add(v, c.pt() >= c.m() || c.pl() >= c.n(), "conv anchor past the kernel");
                    add(v, c.sh() > 1 || c.sw() > 1, "conv stride > 1");
                    add(v, c.sh() > c.m() || c.sw() > c.n(), "conv stride > kernel");
                    add(v, c.m() % 2 == 0 || c.n() % 2 == 0, "conv even kernel");
                    add(v, c.m() != c.n(), "conv asymmetric kernel");
                    add(v, !c.bias(), "conv without bias");
                    add(v, c.padding() instanceof cnnc.ops.Conv.Padding.Mode, "conv " + c.padding());
                }
                case Pool p -> {
                    String op = p.max() ? "maxpool" : "avgpool";
                    Shape y = s.output().shape();
                    add(v, p.overlapping(), op + " overlapping");
                    add(v, p.sh() > p.p() || p.sw() > p.q(), op + " gaps");
                    add(v, (y.h() - 1) * p.sh() + p.p() > x.h() || (y.w() - 1) * p.sw() + p.q() > x.w(), op + " ceil partial window");
                }
                case BatchNorm b -> v.add(b.perChannel() ? "bn per channel" : "bn per element");
                case Activation a -> v.add(a.fn().word);
                case Full f -> {
                    add(v, !f.bias(), "full without bias");
                    add(v, x.h() * x.w() > 1, "full of a 3-D tensor");
                }
                case cnnc.ops.Deconv d -> {
                    v.add(d.sh() > 1 || d.sw() > 1 ? "deconv stride > 1" : "deconv stride 1");
                    add(v, d.sh() > d.m() || d.sw() > d.n(), "deconv stride > kernel");
                    add(v, d.ph() > 0 || d.pw() > 0, "deconv padding");
                    add(v, d.ah() > 0 || d.aw() > 0, "deconv output_padding");
                    add(v, d.m() != d.n(), "deconv asymmetric kernel");
                    add(v, !d.bias(), "deconv without bias");
                }
                case cnnc.ops.Dropout d -> {
                    v.add("dropout");
                    add(v, x.h() * x.w() == 1, "dropout of a vector");
                }
                default -> { }
            }
            add(v, s.inputs().stream().map(Buffer::name).distinct().count() < s.inputs().size(), "one edge reads a tensor twice");
            add(v, s.output().role() == Role.LOSS && x.h() * x.w() > 1, "loss per pixel");
            seen.addAll(v);
        }
        for (Step s : m.backwardGraph().steps()) {
            add(seen, s.op() instanceof cnnc.ops.SoftmaxBf, "softmax without loss");
            add(seen, s.op() instanceof cnnc.ops.Accumulate, "fan-out");
            add(seen, s.op() instanceof cnnc.ops.Accumulate && s.output().name().equals(Buffer.gradName(m.input().name())), "input fan-out");
        }
        Set<String> derived = m.backwardGraph().buffers().keySet();
        for (Buffer p : m.forward().buffers(Role.PARAMETER)) {
            add(seen, !derived.contains(Buffer.gradName(p.name())), "parameter without gradient");
        }
    }

    private static void add(java.util.Collection<String> out, boolean condition, String variant) {
        if (condition) {
            out.add(variant);
        }
    }
}
