package cnnc.ops;

import cnnc.ir.Buffer;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import java.util.List;

/**
 * {@code maxpool(x, window: PxQ, stride: SxS, ceil: false)} and {@code avgpool(...)}. Stride defaults to
 * the window; windows may overlap or leave gaps. {@code H' = floor((H - P)/sh) + 1}, or with
 * {@code ceil: true} {@code ceil((H - P)/sh) + 1} less a last window that would start outside the
 * input (as PyTorch does); window cells outside the input are ignored.
 *
 * <p>Forward (max): {@code Y[t][c][i][j] = max_{a<P, b<Q} X[t][c][i·sh + a][j·sw + b]}, and the path tensor
 * {@code Path[t][c][i][j] = i'·W + j'} of the first maximum in row-major window order.
 * (avg): {@code Y} is the mean of the window's in-range cells.
 * <br>Backward (max): {@code ΔX = 0; ΔX[t][c][Path[t][c][i][j]] += ΔY[t][c][i][j]};
 * (avg): {@code ΔX[cell] += ΔY / count} for every in-range cell of the window.
 */
public record Pool(boolean max, int p, int q, int sh, int sw, boolean ceil) implements ForwardOp {

    public static Signature signature(boolean max) {
        return Signature.of(max ? "maxpool" : "avgpool", 1,
                Param.size2("window"), Param.size2("stride", "window"),
                Param.bool("ceil", false));
    }

    public static Pool define(Call c, boolean max) {
        int[] window = c.size2("window");
        int[] stride = c.size2("stride");
        Pool pool = new Pool(max, window[0], window[1], stride[0], stride[1], c.bool("ceil"));
        Shape x = c.shape(0);
        if (x.h() < pool.p || x.w() < pool.q) {
            c.error(c.pos("window"), (max ? "maxpool '" : "avgpool '") + c.node() + "': the " + pool.p + "x" + pool.q
                    + " window is larger than its " + x.h() + "x" + x.w() + " input",
                    "a window of at most " + x.h() + "x" + x.w());
            return null;
        }
        return pool;
    }

    /** Output size along one axis (docs/language.md §3), with PyTorch's rule for a last ceil window. */
    public static int outSize(int size, int window, int stride, boolean ceil) {
        long span = (long) size - window;
        int out = (int) ((ceil ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1);
        if (ceil && (long) (out - 1) * stride >= size) {
            out--;
        }
        return out;
    }

    @Override
    public Shape outShape(List<Shape> in) {
        Shape x = in.get(0);
        return Shape.of(x.n(), x.c(), outSize(x.h(), p, sh, ceil), outSize(x.w(), q, sw, ceil));
    }

    @Override
    public List<Buffer> extras(String node, Shape out, List<Shape> in) {
        return max ? List.of(Buffer.path(node, out)) : List.of();
    }

    /** Whether windows overlap, so several outputs may route to one input cell. */
    public boolean overlapping() {
        return sh < p || sw < q;
    }

    @Override
    public List<Step> backward(Backprop ctx, Step step) {
        if (!ctx.needs(step.input(0))) {
            return List.of();
        }
        Buffer dy = ctx.sensitivity(step.output());
        List<Buffer> in = max ? List.of(dy, step.outputs().get(1)) : List.of(dy);
        BackwardOp op = max ? new MaxPoolBf(this) : new AvgPoolBf(this);
        return List.of(ctx.step(op, in, List.of(ctx.contribution(step, 0)), step));
    }

    @Override
    public String mnemonic() {
        return max ? "maxpool" : "avgpool";
    }

    @Override
    public String formula() {
        String cell = "X[t][c][i·" + sh + " + a][j·" + sw + " + b]";
        return max ? "Y[t][c][i][j] = max_a<" + p + ",b<" + q + " " + cell + "; Path = argmax position i'·W + j'"
                : "Y[t][c][i][j] = mean_a<" + p + ",b<" + q + " " + cell + " (in-range cells)";
    }

    @Override
    public String detail(Step step) {
        return "window " + p + "x" + q + ", stride " + sh + "x" + sw + (ceil ? ", ceil" : "") + (overlapping() ? ", overlapping" : "");
    }
}
