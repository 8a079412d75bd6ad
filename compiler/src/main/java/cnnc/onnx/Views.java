package cnnc.onnx;

import cnnc.front.OperationNames;
import java.util.ArrayList;
import java.util.List;

/**
 * Nodes that need no .cnn line: views of a tensor (Flatten and Reshape to {@code [N, C·H·W]} and
 * back, Identity, Dropout at inference, a Slice that crops rows and columns for a Conv), constants,
 * and the shape arithmetic exporters write for {@code x.view(x.size(0), -1)}
 * (Shape, Gather, Unsqueeze, Concat of shape vectors).
 */
final class Views {

    private Views() {}

    static void identity(Node n) {
        n.define(0, n.value(0));
    }

    /** Dropout: {@code dropout(x, p: ratio)}, the identity at inference as ONNX's is without training_mode. */
    static void dropout(Node n) {
        float ratio = n.f("ratio", 0.5f);
        n.ignore("is_test", "seed");
        if (n.hasInput(1)) {
            ratio = n.constant(1, "ratio").values()[0];
        }
        if (n.hasInput(2) && n.constant(2, "training_mode").values()[0] != 0) {
            throw n.refuse("training_mode true is not supported: cnnc imports the inference graph");
        }
        if (n.outputUsed(1)) {
            throw n.refuse("output 1 (the mask) is used; at inference there is none");
        }
        Value.Tensor x = n.tensor(0);
        if (OperationNames.exists("dropout")) {
            String y = n.in.claim(n);
            n.in.emit(y + " = dropout(" + x.name() + ", p: " + OnnxOps.number(ratio) + ");", n.label());
            n.define(0, new Value.Tensor(y, x.c(), x.h(), x.w(), x.flat()));
            return;
        }
        n.in.note(n.label() + " (ratio " + ratio + ") elided: the identity at inference");
        n.define(0, x);
    }

    /** Flatten at axis 1: {@code [N, C·H·W]}, the order cnnc's full reads. */
    static void flatten(Node n) {
        long axis = n.i("axis", 1);
        Value.Tensor x = n.tensor(0);
        int rank = x.flat() ? 2 : 4;
        if (axis < 0) {
            axis += rank;
        }
        if (axis != 1 && !(x.flat() && axis == 2)) {
            throw n.refuse("axis " + n.i("axis", 1) + " of " + x.onnxShape() + " is not supported: cnnc flattens each sample (axis 1)");
        }
        n.define(0, x.as(true));
    }

    /** Reshape to {@code [N, C·H·W]}, or back to the tensor's own {@code [N, C, H, W]}. */
    static void reshape(Node n) {
        long allowZero = n.i("allowzero", 0);
        long[] shape;
        if (n.has("shape")) {
            shape = n.ints("shape", null); // opset 1-4 kept it as an attribute
        } else {
            Value s = n.value(1);
            shape = switch (s) {
                case Value.Const c -> c.k().ints();
                case Value.Sym y -> y.dims();
                default -> throw n.refuse("the shape '" + n.inputName(1) + "' is " + Node.describe(s) + ", not a constant");
            };
        }
        Value.Tensor x = n.tensor(0);
        long[] from = x.onnxDims();
        long[] to = shape.clone();
        int unknown = -1;
        for (int i = 0; i < to.length; i++) {
            if (to[i] == 0 && allowZero == 0) {
                if (i >= from.length) {
                    throw n.refuse("shape " + OnnxOps.dims(shape) + " copies dimension " + i + " of " + x.onnxShape() + ", which has none");
                }
                to[i] = from[i];
            } else if (to[i] == -1) {
                if (unknown >= 0) {
                    throw n.refuse("shape " + OnnxOps.dims(shape) + " has two -1");
                }
                unknown = i;
            }
        }
        String what = "reshape of " + x.onnxShape() + " to " + OnnxOps.dims(shape) + " is not supported: cnnc tensors keep their"
                + " C x H x W; only flattening to [N, C·H·W] and back is";
        boolean batchFirst = to.length >= 2 && (to[0] == Value.BATCH || to[0] == n.in.declaredBatch && n.in.declaredBatch > 0
                || to[0] == -1 && unknown == 0);
        if (!batchFirst) {
            throw n.refuse(what);
        }
        long known = 1;
        for (int i = 1; i < to.length; i++) {
            if (i != unknown) {
                known *= to[i];
            }
        }
        if (unknown > 0) {
            if (known == 0 || x.features() % known != 0) {
                throw n.refuse(what);
            }
            to[unknown] = x.features() / known;
        } else if (known != x.features()) {
            throw n.refuse(what);
        }
        if (to.length == 2) {
            n.define(0, x.as(true));
        } else if (to.length == 4 && to[1] == x.c() && to[2] == x.h() && to[3] == x.w()) {
            n.define(0, x.as(false));
        } else if (to.length == 4 && to[2] == 1 && to[3] == 1 && x.pixel()) {
            n.define(0, x.as(false));
        } else {
            throw n.refuse(what);
        }
    }

    /** A Slice of rows and columns (steps 1), which a following Conv reads as negative pads. */
    static void slice(Node n) {
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (n.opset() < 10) {
            starts = n.ints("starts", null);
            ends = n.ints("ends", null);
            axes = n.ints("axes", null);
        } else {
            starts = n.constant(1, "starts").ints();
            ends = n.constant(2, "ends").ints();
            axes = n.hasInput(3) ? n.constant(3, "axes").ints() : null;
            steps = n.hasInput(4) ? n.constant(4, "steps").ints() : null;
        }
        Value.Tensor x = n.tensor(0);
        if (x.flat() || starts == null || ends == null) {
            throw n.refuse("only a Slice of the rows and columns of an image [N,C,H,W] is supported (as the crop of a Conv)");
        }
        int[] crop = {0, 0, 0, 0}; // top, bottom, left, right
        for (int i = 0; i < starts.length; i++) {
            long axis = axes == null ? i : axes[i] < 0 ? axes[i] + 4 : axes[i];
            if (steps != null && steps[i] != 1 || axis < 2) {
                throw n.refuse("a Slice along axis " + axis + (steps != null ? " with step " + steps[i] : "")
                        + " is not supported: only rows and columns with step 1 (the crop of a Conv)");
            }
            long size = axis == 2 ? x.h() : x.w();
            long s = Math.min(Math.max(starts[i] < 0 ? starts[i] + size : starts[i], 0), size);
            long e = Math.min(Math.max(ends[i] < 0 ? ends[i] + size : ends[i], 0), size);
            if (e <= s) {
                throw n.refuse("the Slice leaves nothing of axis " + axis);
            }
            crop[axis == 2 ? 0 : 2] = (int) s;
            crop[axis == 2 ? 1 : 3] = (int) (size - e);
        }
        requireConvUsers(n, "a Slice");
        n.define(0, new Value.Crop(x, crop[0], crop[1], crop[2], crop[3]));
    }

    /** A zero Pad of rows and columns (PyTorch's {@code F.pad} before a conv): the Conv's pads; negative pads crop. */
    static void pad(Node n) {
        String mode = n.s("mode", "constant");
        long[] pads = n.opset() < 11 ? n.ints("pads", null) : n.constant(1, "pads").ints();
        float value = n.opset() < 11 ? n.f("value", 0f) : n.hasInput(2) ? n.constant(2, "constant_value").values()[0] : 0f;
        if (n.opset() >= 18 && n.hasInput(3)) {
            throw n.refuse("the axes input is not supported");
        }
        if (!mode.equals("constant") || value != 0) {
            throw n.refuse("mode " + mode + " with value " + value + " is not supported: only zero padding before a Conv");
        }
        Value.Tensor x = n.tensor(0);
        if (x.flat() || pads == null || pads.length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) {
            throw n.refuse("pads " + (pads == null ? "missing" : OnnxOps.dims(pads)) + " of " + x.onnxShape()
                    + ": only rows and columns of an image are padded before a Conv");
        }
        if (pads[2] == 0 && pads[3] == 0 && pads[6] == 0 && pads[7] == 0) {
            n.define(0, x); // nothing added (PyTorch writes one before AveragePool with count_include_pad)
            return;
        }
        requireConvUsers(n, "a Pad");
        n.define(0, new Value.Crop(x, (int) -pads[2], (int) -pads[6], (int) -pads[3], (int) -pads[7]));
    }

    private static void requireConvUsers(Node n, String what) {
        for (var user : n.in.consumers(n.proto.getOutput(0))) {
            if (!user.getOpType().equals("Conv")) {
                throw n.refuse(what + " is supported only right before a Conv (as its pads); " + user.getOpType() + " '"
                        + Importer.nodeName(user) + "' reads this one");
            }
        }
    }

    static void constant(Node n) {
        var t = n.t("value");
        if (t == null) {
            throw n.refuse("only a tensor 'value' is supported");
        }
        try {
            n.define(0, new Value.Const(Constant.read(t.toBuilder().setName(n.proto.getOutput(0)).build(), null)));
        } catch (IllegalArgumentException e) {
            throw n.refuse(e.getMessage());
        }
    }

    /** Shape of a tensor: {@code [N, C, H, W]} with N the batch. */
    static void shape(Node n) {
        long start = n.i("start", 0);
        long end = n.i("end", Long.MAX_VALUE);
        Value v = n.value(0);
        long[] dims = switch (v) {
            case Value.Tensor t -> t.onnxDims();
            case Value.Const c -> c.k().dims();
            default -> throw n.refuse("the shape of " + Node.describe(v) + " is not known");
        };
        int r = dims.length;
        int s = (int) Math.min(Math.max(start < 0 ? start + r : start, 0), r);
        int e = (int) Math.min(Math.max(end < 0 ? end + r : end, 0), r);
        long[] out = new long[Math.max(0, e - s)];
        System.arraycopy(dims, s, out, 0, out.length);
        n.define(0, new Value.Sym(out, false));
    }

    static void gather(Node n) {
        long axis = n.i("axis", 0);
        Value v = n.value(0);
        if (!(v instanceof Value.Sym s) || axis != 0) {
            throw n.refuse("only a Gather from a shape vector is supported");
        }
        Constant idx = n.constant(1, "indices");
        long[] out = new long[idx.ints().length];
        for (int i = 0; i < out.length; i++) {
            long j = idx.ints()[i] < 0 ? idx.ints()[i] + s.dims().length : idx.ints()[i];
            if (j < 0 || j >= s.dims().length) {
                throw n.refuse("index " + idx.ints()[i] + " is outside the shape vector");
            }
            out[i] = s.dims()[(int) j];
        }
        n.define(0, new Value.Sym(out, idx.dims().length == 0));
    }

    static void unsqueeze(Node n) {
        n.ignore("axes");
        Value v = n.value(0);
        if (v instanceof Value.Sym s && s.scalar()) {
            n.define(0, new Value.Sym(s.dims(), false));
            return;
        }
        if (v instanceof Value.Const c && c.k().isInt() && c.k().dims().length == 0) {
            n.define(0, new Value.Sym(c.k().ints(), false));
            return;
        }
        throw n.refuse("only an Unsqueeze of a shape value is supported");
    }

    /** Concat of shape vectors (axis 0). */
    static void concatShape(Node n, long axis) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n.inputs(); i++) {
            Value v = n.value(i);
            long[] d = switch (v) {
                case Value.Sym s -> s.dims();
                case Value.Const c when c.k().isInt() -> c.k().ints();
                default -> throw n.refuse("joins a shape vector and " + Node.describe(v));
            };
            for (long x : d) {
                out.add(x);
            }
        }
        if (axis != 0 && axis != -1) {
            throw n.refuse("axis " + axis + " of a shape vector");
        }
        n.define(0, new Value.Sym(out.stream().mapToLong(Long::longValue).toArray(), false));
    }
}
