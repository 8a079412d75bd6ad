package cnnc.interp;

import cnnc.ir.Buffer;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.Add;
import cnnc.ops.AddBf;
import cnnc.ops.Concat;
import cnnc.ops.ConcatBf;

/** Where tensors meet or part: add, concat, their backward ops, and the accumulate of a fan-out (docs/language.md §1, §3). */
final class JoinInterp {

    private JoinInterp() {}

    /** {@code Y = A + B}. Inputs {@code A, B}; output {@code Y}. */
    static void add(Add op, Step step, Memory mem) {
        double[] a = mem.read(step.input(0));
        double[] b = mem.read(step.input(1));
        double[] y = mem.write(step.output());
        for (int e = 0; e < y.length; e++) {
            y[e] = a[e] + b[e];
        }
    }

    /** {@code ΔA = ΔY}, {@code ΔB = ΔY}: every output a copy. Input {@code ΔY}; outputs the needed ones. */
    static void addBackward(AddBf op, Step step, Memory mem) {
        double[] dy = mem.read(step.input(0));
        for (Buffer out : step.outputs()) {
            System.arraycopy(dy, 0, mem.write(out), 0, dy.length);
        }
    }

    /** {@code Y[t][offset_a + c] = A[t][c]}, inputs stacked along channels in order. Inputs the tensors; output {@code Y}. */
    static void concat(Concat op, Step step, Memory mem) {
        Dims yd = Dims.of(step.output());
        double[] y = mem.write(step.output());
        int offset = 0;
        for (Buffer in : step.inputs()) {
            Dims ad = Dims.of(in);
            double[] a = mem.read(in);
            for (int t = 0; t < ad.n(); t++) {
                for (int c = 0; c < ad.c(); c++) {
                    for (int i = 0; i < ad.h(); i++) {
                        for (int j = 0; j < ad.w(); j++) {
                            y[yd.at(t, offset + c, i, j)] = a[ad.at(t, c, i, j)];
                        }
                    }
                }
            }
            offset += ad.c();
        }
    }

    /** {@code ΔA[t][c] = ΔY[t][offset_a + c]}, output {@code k} starting at channel {@code offsets[k]}. Input {@code ΔY}. */
    static void concatBackward(ConcatBf op, Step step, Memory mem) {
        Dims yd = Dims.of(step.input(0));
        double[] dy = mem.read(step.input(0));
        for (int k = 0; k < step.outputs().size(); k++) {
            Buffer out = step.outputs().get(k);
            Dims ad = Dims.of(out);
            double[] da = mem.write(out);
            int offset = op.offsets().get(k);
            for (int t = 0; t < ad.n(); t++) {
                for (int c = 0; c < ad.c(); c++) {
                    for (int i = 0; i < ad.h(); i++) {
                        for (int j = 0; j < ad.w(); j++) {
                            da[ad.at(t, c, i, j)] = dy[yd.at(t, offset + c, i, j)];
                        }
                    }
                }
            }
        }
    }

    /** {@code ΔX = Σ_e ΔX~e}, summed in the order of the inputs. Inputs the partials; output {@code ΔX}. */
    static void accumulate(Accumulate op, Step step, Memory mem) {
        double[] sum = mem.write(step.output());
        for (Buffer part : step.inputs()) {
            double[] p = mem.read(part);
            for (int e = 0; e < sum.length; e++) {
                sum[e] += p[e];
            }
        }
    }
}
