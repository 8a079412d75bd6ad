package cnnc.backend.java;

import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * What a profiled class ({@link JavaBackend#generateProfiled}) tells {@code cnnc bench}: for every
 * timed unit {@code u} (one phase of one step), {@code PROFILE_STEP[u]} (the step, e.g.
 * {@code conv 'c2' (cifar_vgg.cnn:17)}), {@code PROFILE_PASS[u]} ({@code forward} or {@code backward}),
 * {@code PROFILE_KIND[u]} ({@code conv forward}, {@code conv backward-data}, {@code conv gradient}, or
 * the operation's mnemonic), {@code PROFILE_FLOPS[u]} (floating-point operations of the direct
 * algorithm, {@code 2·T·K·Ho·Wo·C·M·N} for a convolution's main phase, else 0), and
 * {@code long[] profileNanos}, the nanoseconds each unit has taken so far.
 */
public final class Profile {

    /** Field names the bench reads by reflection. */
    public static final String STEP = "PROFILE_STEP", PASS = "PROFILE_PASS", KIND = "PROFILE_KIND", FLOPS = "PROFILE_FLOPS",
            NANOS = "profileNanos";

    record Entry(String step, String pass, String kind, long flops) {}

    private Profile() {}

    static Entry entry(StepCtx s, String method, boolean forward) {
        String step = s.step.op().mnemonic() + " '" + s.step.node() + "' (" + s.step.pos().fileLine() + ")";
        boolean main = method.equals(s.name);
        String kind = switch (s.step.op()) {
            case Conv op -> "conv forward";
            case ConvBf op -> "conv backward-data";
            case ConvGrad op -> "conv gradient";
            case Deconv op -> "deconv forward";
            case DeconvBf op -> "deconv backward-data";
            case DeconvGrad op -> "deconv gradient";
            default -> s.step.op().mnemonic();
        };
        long flops = main ? directFlops(s) : 0;
        return new Entry(step, forward ? "forward" : "backward", kind, flops);
    }

    /**
     * {@code 2·T·K·Ho·Wo·C·M·N}: the multiply-adds of a convolution computed directly, the same for
     * forward, backward-data and gradient; 0 for any other step.
     */
    static long directFlops(StepCtx s) {
        return switch (s.step.op()) {
            case Conv op -> 2L * s.outBuf(0).shape().size() * s.inBuf(0).shape().c() * op.m() * op.n();
            case ConvBf op -> 2L * s.inBuf(0).shape().size() * s.outBuf(0).shape().c() * op.conv().m() * op.conv().n();
            case ConvGrad op -> 2L * s.inBuf(0).shape().size() * s.inBuf(1).shape().c() * op.conv().m() * op.conv().n();
            // every input pixel meets every output channel and tap once
            case Deconv op -> 2L * s.inBuf(0).shape().size() * op.k() * op.m() * op.n();
            case DeconvBf op -> 2L * s.outBuf(0).shape().size() * s.inBuf(0).shape().c() * op.deconv().m() * op.deconv().n();
            case DeconvGrad op -> 2L * s.inBuf(0).shape().size() * s.inBuf(1).shape().c() * op.deconv().m() * op.deconv().n();
            default -> 0L;
        };
    }

    static void fields(TypeSpec.Builder t, List<Entry> entries) {
        TypeName strings = ArrayTypeName.of(ClassName.get(String.class));
        t.addField(array(strings, STEP, "The step each timed unit belongs to.",
                entries.stream().map(e -> quote(e.step())).collect(Collectors.joining(", "))));
        t.addField(array(strings, PASS, "forward or backward, per timed unit.",
                entries.stream().map(e -> quote(e.pass())).collect(Collectors.joining(", "))));
        t.addField(array(strings, KIND, "conv forward, conv backward-data, conv gradient, or the operation, per timed unit.",
                entries.stream().map(e -> quote(e.kind())).collect(Collectors.joining(", "))));
        t.addField(array(ArrayTypeName.of(TypeName.LONG), FLOPS, "Direct-algorithm floating-point operations per call, per timed unit.",
                entries.stream().map(e -> e.flops() + "L").collect(Collectors.joining(", "))));
        t.addField(FieldSpec.builder(ArrayTypeName.of(TypeName.LONG), NANOS, Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc("Nanoseconds taken so far, per timed unit.\n").initializer("new long[$L]", entries.size()).build());
    }

    private static FieldSpec array(TypeName type, String name, String doc, String values) {
        return FieldSpec.builder(type, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL).addJavadoc("$L\n", doc)
                .initializer("{$L}", values).build();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
