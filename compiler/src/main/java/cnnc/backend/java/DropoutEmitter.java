package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Dropout;
import cnnc.ops.DropoutBf;
import cnnc.runtime.DropoutMask;
import com.palantir.javapoet.ClassName;

/**
 * {@code dropout} and its backward step, one chunk per sample. The mask is
 * {@link DropoutMask#keep} of the element's index in the batch, so which thread runs a sample changes
 * nothing. Plain and Vector API classes emit the same loops: the forward hash has no vector form
 * worth having, and C2 vectorizes the backward product itself.
 */
final class DropoutEmitter {

    static final ClassName MASK = ClassName.get(DropoutMask.class);

    /** The generated class's field holding the training step ({@code Network.setStep}). */
    static final String STEP = "dropoutStep";

    private DropoutEmitter() {}

    static void forward(StepCtx s, Dropout op) {
        Shape x = s.inBuf(0).shape();
        long n = x.perSample();
        Code c = new Code().line("int lo = chunk * " + n);
        if (s.inference) {
            c.comment("inference: the identity");
            c.line("System.arraycopy(" + s.in(0) + ", lo, " + s.out(0) + ", lo, " + n + ")");
            s.mainBySample(x.n(), x.size(), "one sample each", c.build());
            return;
        }
        long base = DropoutMask.base(s.seed, s.step.node());
        c.open("if (training)");
        c.comment("M[e] = keep(key, e): the hash of (seed " + s.seed + ", node '" + s.step.node() + "', step, e) against round(p·2^24)");
        c.fmt("long key = $T.key($LL, $L)", MASK, base, STEP);
        c.open("for (int e = lo; e < lo + " + n + "; e++)");
        c.fmt("float m = $T.keep(key, e, $L) ? 1f : 0f", MASK, DropoutMask.threshold(op.p()));
        c.line(s.out(1) + "[e] = m");
        c.line(s.out(0) + "[e] = " + s.in(0) + "[e] * m * " + Code.f(op.scale()));
        c.close();
        c.orElse("else");
        c.comment("inference: the identity");
        c.line("System.arraycopy(" + s.in(0) + ", lo, " + s.out(0) + ", lo, " + n + ")");
        c.close();
        s.mainBySample(x.n(), x.size(), "one sample each", c.build());
    }

    static void backward(StepCtx s, DropoutBf op) {
        Shape x = s.outBuf(0).shape();
        Code c = ActivationEmitter.perSample(x);
        c.line(s.out(0) + "[e] = " + s.in(0) + "[e] * " + s.in(1) + "[e] * " + Code.f(op.dropout().scale()));
        c.close();
        s.mainBySample(x.n(), x.size(), "one sample each", c.build());
    }
}
