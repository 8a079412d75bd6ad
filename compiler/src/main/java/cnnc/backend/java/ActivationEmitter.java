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

    static void forward(StepCtx s, Activation op) {
        Shape x = s.inBuf(0).shape();
        String X = s.in(0) + "[e]";
        Code c = perSample(x);
        switch (op.fn()) {
            case RELU -> c.line("float v = " + X).line(s.out(0) + "[e] = v > 0f ? v : 0f");
            case SIGMOID -> c.line(s.out(0) + "[e] = (float) (1.0 / (1.0 + Math.exp(-" + X + ")))");
            case TANH -> c.line(s.out(0) + "[e] = (float) Math.tanh(" + X + ")");
        }
        c.close();
        s.main(x.n(), x.size(), "one sample each", c.build());
    }

    static void backward(StepCtx s, ActivationBf bf) {
        Shape x = s.outBuf(0).shape();
        String dy = s.in(0) + "[e]";
        String v = s.in(1) + "[e]";
        Code c = perSample(x);
        switch (bf.fn()) {
            case RELU -> c.line(s.out(0) + "[e] = " + v + " > 0f ? " + dy + " : 0f");
            case SIGMOID -> c.line("float y = " + v).line(s.out(0) + "[e] = " + dy + " * y * (1f - y)");
            case TANH -> c.line("float y = " + v).line(s.out(0) + "[e] = " + dy + " * (1f - y * y)");
        }
        c.close();
        s.main(x.n(), x.size(), "one sample each", c.build());
    }
}
