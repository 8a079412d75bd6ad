package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Add;
import cnnc.ops.AddBf;
import cnnc.ops.Concat;
import cnnc.ops.ConcatBf;

/** add, concat and their backward steps (copies), one chunk per sample. */
final class AddConcatEmitter {

    private AddConcatEmitter() {}

    static void add(StepCtx s, Add op) {
        Shape y = s.outBuf(0).shape();
        Code c = ActivationEmitter.perSample(y);
        c.line(s.out(0) + "[e] = " + s.in(0) + "[e] + " + s.in(1) + "[e]").close();
        s.mainBySample(y.n(), y.size(), "one sample each", c.build());
    }

    static void addBackward(StepCtx s, AddBf op) {
        Shape dy = s.inBuf(0).shape();
        long n = dy.perSample();
        Code c = new Code();
        for (int i = 0; i < s.step.outputs().size(); i++) {
            c.line("System.arraycopy(" + s.in(0) + ", chunk * " + n + ", " + s.out(i) + ", chunk * " + n + ", " + n + ")");
        }
        s.mainBySample(dy.n(), dy.size(), "one sample each", c.build());
    }

    static void concat(StepCtx s, Concat op) {
        Shape y = s.outBuf(0).shape();
        long hw = (long) y.h() * y.w();
        Code c = new Code();
        long offset = 0;
        for (int i = 0; i < s.step.inputs().size(); i++) {
            long n = s.inBuf(i).shape().perSample();
            c.line("System.arraycopy(" + s.in(i) + ", chunk * " + n + ", " + s.out(0) + ", chunk * " + y.perSample()
                    + ConvEmitter.plus(offset * hw) + ", " + n + ")");
            offset += s.inBuf(i).shape().c();
        }
        s.mainBySample(y.n(), y.size(), "one sample each", c.build());
    }

    static void concatBackward(StepCtx s, ConcatBf op) {
        Shape dy = s.inBuf(0).shape();
        long hw = (long) dy.h() * dy.w();
        Code c = new Code();
        for (int i = 0; i < s.step.outputs().size(); i++) {
            long n = s.outBuf(i).shape().perSample();
            c.line("System.arraycopy(" + s.in(0) + ", chunk * " + dy.perSample() + ConvEmitter.plus(op.offsets().get(i) * hw)
                    + ", " + s.out(i) + ", chunk * " + n + ", " + n + ")");
        }
        s.mainBySample(dy.n(), dy.size(), "one sample each", c.build());
    }
}
