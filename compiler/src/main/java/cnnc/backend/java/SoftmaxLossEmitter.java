package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Softmax;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;

/**
 * softmax over channels at every {@code (t, i, j)}, the cross-entropy loss (one chunk: a sum over
 * the whole batch in a fixed order, in double), the fused softmax + loss backward
 * {@code (y - z)/T} and the plain softmax backward.
 */
final class SoftmaxLossEmitter {

    private SoftmaxLossEmitter() {}

    static void softmax(StepCtx s, Softmax op) {
        Shape x = s.inBuf(0).shape();
        int C = x.c(), hw = x.h() * x.w();
        String X = s.in(0), Y = s.out(0);
        Code c = new Code();
        c.open("for (int r = 0; r < " + hw + "; r++)")
                .line("int o = chunk * " + x.perSample() + " + r")
                .line("float max = " + X + "[o]")
                .one("for (int c = 1; c < " + C + "; c++) max = Math.max(max, " + X + "[o + c * " + hw + "])")
                .line("double sum = 0")
                .open("for (int c = 0; c < " + C + "; c++)")
                .line("float e = (float) Math.exp(" + X + "[o + c * " + hw + "] - max)")
                .line(Y + "[o + c * " + hw + "] = e")
                .line("sum += e")
                .close()
                .one("for (int c = 0; c < " + C + "; c++) " + Y + "[o + c * " + hw + "] = (float) (" + Y + "[o + c * " + hw + "] / sum)")
                .close();
        s.mainBySample(x.n(), x.size() * 4, "one sample each", c.build());
    }

    /**
     * {@code J = -(1/T) Σ z·log y} with {@code log y = h - max_c h - log Σ_c exp(h - max_c h)} from the
     * logits {@code h}, in double: finite where the float softmax output underflows to 0.
     */
    static void loss(StepCtx s, CrossEntropy op) {
        Shape y = s.inBuf(0).shape();
        int C = y.c(), hw = y.h() * y.w();
        String Z = s.in(1), H = s.in(2);
        Code c = new Code();
        c.comment("0·log(0) counts as 0: soft labels may hold zeros where y underflows");
        c.line("double sum = 0");
        c.open("for (int t = 0; t < " + y.n() + "; t++)")
                .open("for (int r = 0; r < " + hw + "; r++)")
                .line("int o = t * " + y.perSample() + " + r")
                .line("double max = " + H + "[o]")
                .one("for (int c = 1; c < " + C + "; c++) max = Math.max(max, " + H + "[o + c * " + hw + "])")
                .line("double exps = 0")
                .one("for (int c = 0; c < " + C + "; c++) exps += Math.exp(" + H + "[o + c * " + hw + "] - max)")
                .line("double log = Math.log(exps)")
                .open("for (int c = 0; c < " + C + "; c++)")
                .line("float z = " + Z + "[o + c * " + hw + "]")
                .open("if (z != 0f)").line("sum += z * (" + H + "[o + c * " + hw + "] - max - log)").close()
                .close()
                .close()
                .close();
        c.line(s.out(0) + "[0] = (float) (-sum / " + y.n() + ")");
        s.main(1, y.size() * 3, "one: the sum over the batch runs in one fixed order", c.build());
    }

    static void fusedBackward(StepCtx s, SoftmaxCeBf op) {
        Shape y = s.inBuf(0).shape();
        Code c = ActivationEmitter.perSample(y);
        c.line(s.out(0) + "[e] = (" + s.in(0) + "[e] - " + s.in(1) + "[e]) / " + op.batch() + "f").close();
        s.mainBySample(y.n(), y.size(), "one sample each", c.build());
    }

    static void backward(StepCtx s, SoftmaxBf op) {
        Shape y = s.inBuf(1).shape();
        int C = y.c(), hw = y.h() * y.w();
        String DY = s.in(0), Y = s.in(1), DX = s.out(0);
        Code c = new Code();
        c.open("for (int r = 0; r < " + hw + "; r++)")
                .line("int o = chunk * " + y.perSample() + " + r")
                .line("float dot = 0f")
                .one("for (int c = 0; c < " + C + "; c++) dot += " + DY + "[o + c * " + hw + "] * " + Y + "[o + c * " + hw + "]")
                .one("for (int c = 0; c < " + C + "; c++) " + DX + "[o + c * " + hw + "] = " + Y + "[o + c * " + hw + "] * (" + DY
                        + "[o + c * " + hw + "] - dot)")
                .close();
        s.mainBySample(y.n(), y.size() * 3, "one sample each", c.build());
    }
}
