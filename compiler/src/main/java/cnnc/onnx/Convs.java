package cnnc.onnx;

/**
 * ONNX Conv → {@code conv(x, K, kernel: MxN, padding | anchor, stride, bias)}. cnnc's pads are an
 * anchor ({@code Pb = M-1-Pt}), {@code valid} or {@code full}; ONNX's are free. Pads after the
 * input matter only through the number of outputs (a window never reads past the last output's
 * rows), so any ONNX pads whose output size one of cnnc's forms reproduces are that form. A Slice
 * before the Conv (how cnnc export writes a negative pad) crops: its rows become negative pads.
 */
final class Convs {

    private Convs() {}

    static void conv(Node n) {
        String autoPad = n.s("auto_pad", "NOTSET");
        long group = n.i("group", 1);
        long[] dilations = n.ints("dilations", new long[] {1, 1});
        long[] kernelShape = n.ints("kernel_shape", null);
        long[] pads = n.ints("pads", new long[] {0, 0, 0, 0});
        long[] strides = n.ints("strides", new long[] {1, 1});
        checkDense(n, "conv", group, dilations);
        if (pads.length != 4 || strides.length != 2) {
            n.problem("pads " + OnnxOps.dims(pads) + " and strides " + OnnxOps.dims(strides) + " are not those of a 2-D convolution");
        }
        if (!n.problems.isEmpty()) {
            throw new Node.Stop();
        }
        Value input = n.value(0);
        Value.Tensor x;
        int[] crop = {0, 0, 0, 0};
        if (input instanceof Value.Crop c) {
            x = c.base();
            crop = new int[] {c.top(), c.left(), c.bottom(), c.right()};
        } else {
            x = n.tensor(0);
        }
        if (x.flat()) {
            throw n.refuse("input " + x.onnxShape() + " is not an image [N,C,H,W]");
        }
        Constant w = n.constant(1, "weight");
        if (w.dims().length != 4 || w.dims()[1] != x.c()) {
            throw n.refuse("weight '" + w.name() + "' is " + w.dimsString() + " but the input " + x.onnxShape() + " needs [K," + x.c() + ",M,N]");
        }
        int k = (int) w.dims()[0];
        int m = (int) w.dims()[2];
        int nn = (int) w.dims()[3];
        checkKernelShape(n, kernelShape, w, m, nn);
        Constant b = bias(n, w, k, "kernels");
        int sh = (int) strides[0];
        int sw = (int) strides[1];
        int h = x.h() - crop[0] - crop[2];
        int wd = x.w() - crop[1] - crop[3];
        long[] p = switch (autoPad) {
            case "NOTSET" -> pads;
            case "VALID" -> new long[] {0, 0, 0, 0};
            case "SAME_UPPER", "SAME_LOWER" -> samePads(h, wd, m, nn, sh, sw, autoPad.equals("SAME_UPPER"));
            default -> throw n.refuse("auto_pad '" + autoPad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
        };
        // effective pads on the uncropped input: a crop is a negative pad
        long pt = p[0] - crop[0];
        long pl = p[1] - crop[1];
        long onnxH = Math.floorDiv(h + p[0] + p[2] - m, sh) + 1;
        long onnxW = Math.floorDiv(wd + p[1] + p[3] - nn, sw) + 1;
        if (onnxH < 1 || onnxW < 1) {
            throw n.refuse("a " + m + "x" + nn + " kernel leaves no output for the " + h + "x" + wd + " input");
        }
        String padding = padding(x, m, nn, sh, sw, pt, pl, onnxH, onnxW, n.in.hint(nameHint(n), "anchor"));
        if (padding == null) {
            throw n.refuse("pads " + OnnxOps.dims(p) + (crop[0] + crop[1] + crop[2] + crop[3] == 0 ? "" : " after a crop")
                    + " on a " + h + "x" + wd + " input give " + onnxH + "x" + onnxW + " outputs, which none of cnnc's conv paddings"
                    + " (an anchor, valid or full) gives");
        }
        String y = n.in.claim(n);
        float[] weights = w.values();
        n.in.weight(y + ".weight", new int[] {k, x.c(), m, nn}, weights);
        if (b != null) {
            n.in.weight(y + ".bias", new int[] {k}, b.values());
        }
        StringBuilder s = new StringBuilder(y + " = conv(" + x.name() + ", " + k + ", kernel: " + m + "x" + nn);
        s.append(padding.isEmpty() ? "" : ", " + padding);
        s.append(sh == 1 && sw == 1 ? "" : ", stride: " + sh + "x" + sw);
        s.append(b == null ? ", bias: false" : "");
        String init = n.in.hint(y, "init");
        s.append(init == null ? "" : ", init: " + init);
        boolean cropped = crop[0] != 0 || crop[1] != 0 || crop[2] != 0 || crop[3] != 0;
        long[] eff = {p[0] - crop[0], p[1] - crop[1], p[2] - crop[2], p[3] - crop[3]};
        n.in.emit(s + ");", n.label() + (eff[0] == 0 && eff[1] == 0 && eff[2] == 0 && eff[3] == 0 ? ""
                : ", pads " + OnnxOps.dims(eff) + (cropped ? " with the Pad or Slice before it" : "")));
        n.define(0, new Value.Tensor(y, k, (int) onnxH, (int) onnxW, false));
    }

    /** cnnc's {@code op} (conv or deconv) has one group and no dilation: a problem of {@code n} for anything else. */
    static void checkDense(Node n, String op, long group, long[] dilations) {
        if (group != 1) {
            n.problem("group " + group + " is not supported: cnnc's " + op + " connects every input channel to every output channel");
        }
        for (long d : dilations) {
            if (d != 1) {
                n.problem("dilations " + OnnxOps.dims(dilations) + " are not supported: cnnc's " + op + " kernels are dense");
                break;
            }
        }
    }

    /** {@code kernel_shape}, when given, must be the weight's {@code M x N}. */
    static void checkKernelShape(Node n, long[] kernelShape, Constant w, int m, int nn) {
        if (kernelShape != null && (kernelShape.length != 2 || kernelShape[0] != m || kernelShape[1] != nn)) {
            throw n.refuse("kernel_shape " + OnnxOps.dims(kernelShape) + " differs from weight '" + w.name() + "' " + w.dimsString());
        }
    }

    /** The optional bias (input 2), one value per output channel ({@code k} {@code what}); null without one. */
    static Constant bias(Node n, Constant w, int k, String what) {
        if (!n.hasInput(2)) {
            return null;
        }
        Constant b = n.constant(2, "bias");
        if (b.size() != k) {
            throw n.refuse("bias '" + b.name() + "' has " + b.size() + " values but the weight " + w.dimsString() + " has " + k + " " + what);
        }
        return b;
    }

    private static String nameHint(Node n) {
        String base = Names.legal(n.proto.getName(), n.op());
        return base == null ? "" : base;
    }

    /** ONNX's SAME_UPPER / SAME_LOWER: output {@code ceil(H/s)}, the odd pad after (upper) or before (lower). */
    static long[] samePads(int h, int w, int m, int n, int sh, int sw, boolean upper) {
        long th = Math.max(0, ((h + sh - 1L) / sh - 1) * sh + m - h);
        long tw = Math.max(0, ((w + sw - 1L) / sw - 1) * sw + n - w);
        long top = upper ? th / 2 : th - th / 2;
        long left = upper ? tw / 2 : tw - tw / 2;
        return new long[] {top, left, th - top, tw - left};
    }

    /**
     * The cnnc form whose pads before the input are {@code pt, pl} and whose output size is ONNX's:
     * "" (same, the default), "padding: valid", "padding: full" or "anchor: (pt,pl)"; null if none.
     * {@code hintAnchor} (cnnc export's note that the .cnn wrote an anchor) prefers the anchor form.
     */
    static String padding(Value.Tensor x, int m, int n, int sh, int sw, long pt, long pl, long outH, long outW, String hintAnchor) {
        int h = x.h();
        int w = x.w();
        long anchorH = Math.floorDiv(h + (m - 1L) - m, sh) + 1;
        long anchorW = Math.floorDiv(w + (n - 1L) - n, sw) + 1;
        boolean anchorFits = anchorH == outH && anchorW == outW;
        if (hintAnchor != null && anchorFits) {
            return "anchor: (" + pt + "," + pl + ")";
        }
        if (anchorFits && pt == (m - 1) / 2 && pl == (n - 1) / 2) {
            return "";
        }
        if (pt == 0 && pl == 0 && Math.floorDiv(h - m, sh) + 1 == outH && Math.floorDiv(w - n, sw) + 1 == outW) {
            return "padding: valid";
        }
        if (pt == m - 1 && pl == n - 1 && Math.floorDiv(h + m - 2L, sh) + 1 == outH && Math.floorDiv(w + n - 2L, sw) + 1 == outW) {
            return "padding: full";
        }
        return anchorFits ? "anchor: (" + pt + "," + pl + ")" : null;
    }
}
