package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;

/** relu, sigmoid, tanh and their backward steps: element-wise loops, one chunk per sample. */
final class ActivationEmitter {

    private ActivationEmitter() {}

    /** Opens {@code for (int e ...)} over sample {@code chunk}'s elements of a tensor of shape {@code x}. */
    static Code perSample(Shape x) {
        long n = x.perSample();
        return new Code().line("int lo = chunk * " + n).open("for (int e = lo; e < lo + " + n + "; e++)");
    }

    /**
     * relu and its backward step on {@code jdk.incubator.vector}: C2 does not vectorize the scalar
     * {@code v > 0f ? a : 0f}; a lane mask and a blend do the same, lane for lane (NaN included).
     */
    private static void vectorRelu(StepCtx s, Shape x, String value, String v) {
        long n = x.perSample();
        long nv = n / VectorConvEmitter.VL * VectorConvEmitter.VL;
        String gt = "FloatVector.fromArray(S, " + v + ", e).compare(jdk.incubator.vector.VectorOperators.GT, 0f)";
        Code c = new Code().line("int lo = chunk * " + n);
        c.one("for (int e = lo; e < lo + " + nv + "; e += " + VectorConvEmitter.VL + ") FloatVector.zero(S).blend(FloatVector.fromArray(S, "
                + value + ", e), " + gt + ").intoArray(" + s.out(0) + ", e)");
        if (nv < n) {
            c.one("for (int e = lo + " + nv + "; e < lo + " + n + "; e++) " + s.out(0) + "[e] = " + v + "[e] > 0f ? " + value + "[e] : 0f");
        }
        s.mainBySample(x.n(), x.size(), "one sample each", c.build());
    }

    static void forward(StepCtx s, Activation op) {
        Shape x = s.inBuf(0).shape();
        if (s.vector && op.fn() == cnnc.ops.Activation.Fn.RELU) {
            vectorRelu(s, x, s.in(0), s.in(0));
            return;
        }
        String X = s.in(0) + "[e]";
        Code c = perSample(x);
        switch (op.fn()) {
            case RELU -> c.line("float v = " + X).line(s.out(0) + "[e] = v > 0f ? v : 0f");
            case SIGMOID -> c.line(s.out(0) + "[e] = (float) (1.0 / (1.0 + Math.exp(-" + X + ")))");
            case TANH -> c.line(s.out(0) + "[e] = (float) Math.tanh(" + X + ")");
        }
        c.close();
        s.mainBySample(x.n(), x.size(), "one sample each", c.build());
    }

    static void backward(StepCtx s, ActivationBf bf) {
        Shape x = s.outBuf(0).shape();
        if (s.vector && bf.fn() == cnnc.ops.Activation.Fn.RELU) {
            vectorRelu(s, x, s.in(0), s.in(1));
            return;
        }
        String dy = s.in(0) + "[e]";
        String v = s.in(1) + "[e]";
        Code c = perSample(x);
        switch (bf.fn()) {
            case RELU -> c.line(s.out(0) + "[e] = " + v + " > 0f ? " + dy + " : 0f");
            case SIGMOID -> c.line("float y = " + v).line(s.out(0) + "[e] = " + dy + " * y * (1f - y)");
            case TANH -> c.line("float y = " + v).line(s.out(0) + "[e] = " + dy + " * (1f - y * y)");
        }
        c.close();
        s.mainBySample(x.n(), x.size(), "one sample each", c.build());
    }
}
