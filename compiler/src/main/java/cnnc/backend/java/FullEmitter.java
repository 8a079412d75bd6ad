package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;

/**
 * full, full_bf and full_grad over the input flattened per sample to {@code L = C·H·W} values. The
 * forward pass is one contiguous dot product per output ({@code dot}, eight fixed partial sums);
 * both backward steps are contiguous saxpys over rows of length {@code L}, which C2 vectorizes.
 */
final class FullEmitter {

    private FullEmitter() {}

    static void forward(StepCtx s, Full op) {
        Shape x = s.inBuf(0).shape();
        int T = x.n(), K = op.k();
        long L = x.perSample();
        int kg = ConvEmitter.groupsFor(T, K);
        Code c = new Code();
        ConvEmitter.splitChunk(c, kg, K, "k0", "k1");
        c.open("for (int k = k0; k < k1; k++)")
                .line(s.out(0) + "[t * " + K + " + k] = " + (op.bias() ? s.in(2) + "[k] + " : "") + "dot(" + s.in(1) + ", k * " + L
                        + ", " + s.in(0) + ", t * " + L + ", " + L + ")")
                .close();
        s.main(T * kg, T * K * L, kg == 1 ? "one sample each" : "sample chunk / " + kg + ", outputs split in " + kg, c.build(), kg == 1);
    }

    static void backwardData(StepCtx s, FullBf bf) {
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int T = dx.n(), K = dy.c();
        long L = dx.perSample();
        Code c = new Code();
        c.line("int t = chunk").line("int xo = t * " + L);
        c.loop("l", 0, L, s.out(0) + "[xo + l] = 0f");
        c.open("for (int k = 0; k < " + K + "; k++)")
                .line("float g = " + s.in(0) + "[t * " + K + " + k]")
                .line("int wo = k * " + L)
                .one("for (int l = 0; l < " + L + "; l++) " + s.out(0) + "[xo + l] += g * " + s.in(1) + "[wo + l]")
                .close();
        s.mainBySample(T, T * K * L, "one sample each", c.build());
    }

    static void gradient(StepCtx s, FullGrad grad) {
        Shape dy = s.inBuf(0).shape();
        Shape x = s.inBuf(1).shape();
        int T = x.n(), K = dy.c();
        long L = x.perSample();
        Code c = new Code();
        c.line("int k = chunk").line("int wo = k * " + L);
        c.loop("l", 0, L, s.out(0) + "[wo + l] = 0f");
        c.open("for (int t = 0; t < " + T + "; t++)")
                .line("float g = " + s.in(0) + "[t * " + K + " + k]")
                .line("int xo = t * " + L)
                .one("for (int l = 0; l < " + L + "; l++) " + s.out(0) + "[wo + l] += g * " + s.in(1) + "[xo + l]")
                .close();
        if (grad.full().bias()) {
            c.line("double bsum = 0");
            c.one("for (int t = 0; t < " + T + "; t++) bsum += " + s.in(0) + "[t * " + K + " + k]");
            c.line(s.out(1) + "[k] = (float) bsum");
        }
        s.main(K, T * K * L, "one output k each: row ΔW[k] sums over t inside the chunk", c.build());
    }
}
