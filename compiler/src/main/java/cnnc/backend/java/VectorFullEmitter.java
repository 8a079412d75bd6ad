package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;

/**
 * full, full_bf and full_grad on {@code jdk.incubator.vector} (see {@link VectorConvEmitter}); the
 * scalar {@link FullEmitter} is used without the Vector API. {@code L = C·H·W} is cut into
 * {@link VectorConvEmitter#VL}-wide blocks and a scalar tail of {@code L mod VL}.
 *
 * <p>forward: {@link #KB} dot products per pass over a sample's row, each in its own accumulator
 * whose lanes are added in a fixed order, then the tail. full_bf and full_grad accumulate
 * {@code Σ_k ΔY[t][k]·W[k][l]} and {@code Σ_t ΔY[t][k]·X[t][l]} in registers, one block of columns at a
 * time, instead of a saxpy that reads and writes the output row once per term.
 */
final class VectorFullEmitter {

    static final int VL = VectorConvEmitter.VL;
    /** Output rows per pass of the forward dot products. */
    static final int KB = 4;

    private VectorFullEmitter() {}

    static void forward(StepCtx s, Full op) {
        Shape x = s.inBuf(0).shape();
        int T = x.n(), K = op.k();
        int L = (int) x.perSample();
        int Lv = L / VL * VL;
        int kg = ConvEmitter.groupsFor(T, K);
        String lanes = s.scratch("lanes", (long) T * kg * KB * VL);
        String W = s.in(1), X = s.in(0), Y = s.out(0);
        Code c = new Code();
        ConvEmitter.splitChunk(c, kg, K, "k0", "k1");
        c.line("int xo = t * " + L).line("int lo = chunk * " + KB * VL).line("int k = k0");
        for (int b : new int[] {KB, 1}) {
            c.open(b == 1 ? "for (; k < k1; k++)" : "for (; k + " + b + " <= k1; k += " + b + ")");
            for (int a = 0; a < b; a++) {
                c.line("FloatVector a" + a + " = FloatVector.zero(S)");
            }
            c.open("for (int l = 0; l < " + Lv + "; l += " + VL + ")").line("FloatVector v = FloatVector.fromArray(S, " + X + ", xo + l)");
            for (int a = 0; a < b; a++) {
                c.line("a" + a + " = FloatVector.fromArray(S, " + W + ", (k + " + a + ") * " + L + " + l).fma(v, a" + a + ")");
            }
            c.close();
            for (int a = 0; a < b; a++) {
                c.line("a" + a + ".intoArray(" + lanes + ", lo)");
                c.line("float s" + a + " = sum8(" + lanes + ", lo)");
                if (Lv < L) {
                    c.one("for (int l = " + Lv + "; l < " + L + "; l++) s" + a + " += " + W + "[(k + " + a + ") * " + L + " + l] * " + X
                            + "[xo + l]");
                }
                c.line(Y + "[t * " + K + " + k + " + a + "] = " + (op.bias() ? s.in(2) + "[k + " + a + "] + " : "") + "s" + a);
            }
            c.close();
        }
        s.main(T * kg, (long) T * K * L, kg == 1 ? "one sample each, " + KB + " outputs per pass over its row"
                : "sample chunk / " + kg + ", outputs split in " + kg, c.build(), kg == 1);
    }

    static void backwardData(StepCtx s, FullBf bf) {
        Shape dy = s.inBuf(0).shape();
        Shape dx = s.outBuf(0).shape();
        int T = dx.n(), K = dy.c();
        int L = (int) dx.perSample();
        int Lv = L / VL * VL;
        String G = s.in(0), W = s.in(1), DX = s.out(0);
        Code c = new Code();
        c.line("int t = chunk").line("int xo = t * " + L).line("int go = t * " + K);
        c.comment("ΔX[t][l] = Σ_k ΔY[t][k]·W[k][l], k in order, one block of " + VL + " columns in a register");
        c.open("for (int l = 0; l < " + Lv + "; l += " + VL + ")")
                .line("FloatVector a = FloatVector.zero(S)")
                .one("for (int k = 0; k < " + K + "; k++) a = FloatVector.fromArray(S, " + W + ", k * " + L + " + l).fma(FloatVector.broadcast(S, "
                        + G + "[go + k]), a)")
                .line("a.intoArray(" + DX + ", xo + l)")
                .close();
        if (Lv < L) {
            c.open("for (int l = " + Lv + "; l < " + L + "; l++)")
                    .line("float a = 0f")
                    .one("for (int k = 0; k < " + K + "; k++) a = Math.fma(" + W + "[k * " + L + " + l], " + G + "[go + k], a)")
                    .line(DX + "[xo + l] = a")
                    .close();
        }
        s.mainBySample(T, (long) T * K * L, "one sample each", c.build());
    }

    static void gradient(StepCtx s, FullGrad grad) {
        Shape dy = s.inBuf(0).shape();
        Shape x = s.inBuf(1).shape();
        int T = x.n(), K = dy.c();
        int L = (int) x.perSample();
        int Lv = L / VL * VL;
        String G = s.in(0), X = s.in(1), DW = s.out(0);
        Code c = new Code();
        c.line("int k = chunk").line("int wo = k * " + L);
        c.comment("ΔW[k][l] = Σ_t ΔY[t][k]·X[t][l], t in order, one block of " + VL + " columns in a register");
        c.open("for (int l = 0; l < " + Lv + "; l += " + VL + ")")
                .line("FloatVector a = FloatVector.zero(S)")
                .one("for (int t = 0; t < " + T + "; t++) a = FloatVector.fromArray(S, " + X + ", t * " + L + " + l).fma(FloatVector.broadcast(S, "
                        + G + "[t * " + K + " + k]), a)")
                .line("a.intoArray(" + DW + ", wo + l)")
                .close();
        if (Lv < L) {
            c.open("for (int l = " + Lv + "; l < " + L + "; l++)")
                    .line("float a = 0f")
                    .one("for (int t = 0; t < " + T + "; t++) a = Math.fma(" + X + "[t * " + L + " + l], " + G + "[t * " + K + " + k], a)")
                    .line(DW + "[wo + l] = a")
                    .close();
        }
        if (grad.full().bias()) {
            c.line("double bsum = 0");
            c.one("for (int t = 0; t < " + T + "; t++) bsum += " + G + "[t * " + K + " + k]");
            c.line(s.out(1) + "[k] = (float) bsum");
        }
        s.main(K, (long) T * K * L, "one output k each: row ΔW[k] sums over t inside the chunk", c.build());
    }
}
