package cnnc.backend.java;

import cnnc.ir.Shape;
import cnnc.ops.Accumulate;

/** accumulate: the sensitivity of a fanned-out tensor, its partials summed left to right in .cnn order. */
final class AccumulateEmitter {

    private AccumulateEmitter() {}

    static void emit(StepCtx s, Accumulate op) {
        Shape x = s.outBuf(0).shape();
        StringBuilder sum = new StringBuilder();
        for (int i = 0; i < op.count(); i++) {
            sum.append(i == 0 ? "" : " + ").append(s.in(i)).append("[e]");
        }
        Code c = ActivationEmitter.perSample(x);
        c.line(s.out(0) + "[e] = " + sum).close();
        s.mainBySample(x.n(), x.size() * op.count(), "one sample each", c.build());
    }
}
