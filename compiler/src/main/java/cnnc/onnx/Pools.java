package cnnc.onnx;

import cnnc.ops.Pool;

/**
 * MaxPool / AveragePool → {@code maxpool|avgpool(x, window: PxQ, stride: SxS, ceil)}; cnnc pools have
 * no padding, so pads must be 0 (an average's count_include_pad then changes nothing: cells past the
 * input of a ceil window are left out either way, as cnnc's avgpool defines it). Global pools are a
 * window over the whole map.
 */
final class Pools {

    private Pools() {}

    static void pool(Node n, boolean max) {
        String autoPad = n.s("auto_pad", "NOTSET");
        long[] kernel = n.ints("kernel_shape", null);
        long[] strides = n.ints("strides", new long[] {1, 1});
        long[] pads = n.ints("pads", new long[] {0, 0, 0, 0});
        long[] dilations = n.ints("dilations", new long[] {1, 1});
        boolean ceil = n.i("ceil_mode", 0) != 0;
        if (max) {
            n.ignore("storage_order");
            if (n.outputUsed(1)) {
                n.problem("output 1 (the indices) is used: cnnc keeps its path tensor to itself");
            }
        } else {
            n.ignore("count_include_pad");
        }
        if (kernel == null || kernel.length != 2 || strides.length != 2) {
            throw n.refuse("kernel_shape " + (kernel == null ? "missing" : OnnxOps.dims(kernel)) + ": cnnc pools 2-D maps");
        }
        for (long d : dilations) {
            if (d != 1) {
                n.problem("dilations " + OnnxOps.dims(dilations) + " are not supported: cnnc's pooling windows are dense");
                break;
            }
        }
        if (autoPad.equals("NOTSET") && (pads.length != 4 || pads[0] + pads[1] + pads[2] + pads[3] != 0)) {
            n.problem("pads " + OnnxOps.dims(pads) + " are not supported: cnnc's " + (max ? "maxpool" : "avgpool") + " has no padding");
        }
        if (!n.problems.isEmpty()) {
            throw new Node.Stop();
        }
        Value.Tensor x = n.tensor(0);
        if (x.flat()) {
            throw n.refuse("input " + x.onnxShape() + " is not an image [N,C,H,W]");
        }
        int p = (int) kernel[0];
        int q = (int) kernel[1];
        int sh = (int) strides[0];
        int sw = (int) strides[1];
        if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
            pads = Convs.samePads(x.h(), x.w(), p, q, sh, sw, autoPad.equals("SAME_UPPER"));
        } else if (autoPad.equals("VALID")) {
            pads = new long[] {0, 0, 0, 0};
        }
        if (!autoPad.equals("NOTSET") && pads[0] + pads[1] + pads[2] + pads[3] != 0) {
            n.problem("pads " + OnnxOps.dims(pads) + " (auto_pad " + autoPad + ")"
                    + " are not supported: cnnc's " + (max ? "maxpool" : "avgpool") + " has no padding");
        }
        if (p > x.h() || q > x.w()) {
            n.problem("the " + p + "x" + q + " window is larger than the " + x.h() + "x" + x.w() + " input");
        }
        if (!n.problems.isEmpty()) {
            throw new Node.Stop();
        }
        long onnxH = (ceil ? Math.floorDiv(x.h() - p + sh - 1, sh) : Math.floorDiv(x.h() - p, sh)) + 1;
        long onnxW = (ceil ? Math.floorDiv(x.w() - q + sw - 1, sw) : Math.floorDiv(x.w() - q, sw)) + 1;
        int h = Pool.outSize(x.h(), p, sh, ceil);
        int w = Pool.outSize(x.w(), q, sw, ceil);
        if (h != onnxH || w != onnxW) {
            throw n.refuse("ceil_mode gives " + onnxH + "x" + onnxW + " outputs where cnnc drops a last window that starts"
                    + " past the input (" + h + "x" + w + ")");
        }
        String y = n.in.claim(n);
        String stride = sh == p && sw == q ? "" : ", stride: " + sh + "x" + sw;
        n.in.emit(y + " = " + (max ? "maxpool" : "avgpool") + "(" + x.name() + ", window: " + p + "x" + q + stride
                + (ceil ? ", ceil: true" : "") + ");", n.label());
        n.define(0, new Value.Tensor(y, x.c(), h, w, false));
    }

    static void global(Node n, boolean max) {
        Value.Tensor x = n.tensor(0);
        if (x.flat()) {
            throw n.refuse("input " + x.onnxShape() + " is not an image [N,C,H,W]");
        }
        String y = n.in.claim(n);
        n.in.emit(y + " = " + (max ? "maxpool" : "avgpool") + "(" + x.name() + ", window: " + x.h() + "x" + x.w() + ");",
                n.label() + ": one window over the whole map");
        n.define(0, new Value.Tensor(y, x.c(), 1, 1, false));
    }
}
