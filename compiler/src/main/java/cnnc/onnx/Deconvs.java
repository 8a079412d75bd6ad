package cnnc.onnx;

/**
 * ONNX ConvTranspose → {@code deconv(x, K, kernel: MxN, stride, padding: (p,q), output_padding: (a,b), bias)}.
 * ONNX's output is {@code s·(H-1) + a' + M - pb - pe} (pads begin and end, output_padding {@code a'}); cnnc's
 * crops {@code p} before and {@code p - a} after, so the pads map to {@code p = pb}, {@code a = pb - pe + a'},
 * which must lie in {@code [0, s)}. An {@code output_shape} is read as the output_padding it implies.
 */
final class Deconvs {

    private Deconvs() {}

    static void deconv(Node n) {
        String autoPad = n.s("auto_pad", "NOTSET");
        long group = n.i("group", 1);
        long[] dilations = n.ints("dilations", new long[] {1, 1});
        long[] kernelShape = n.ints("kernel_shape", null);
        long[] pads = n.ints("pads", new long[] {0, 0, 0, 0});
        long[] strides = n.ints("strides", new long[] {1, 1});
        long[] outPad = n.ints("output_padding", new long[] {0, 0});
        long[] outShape = n.ints("output_shape", null);
        Convs.checkDense(n, "deconv", group, dilations);
        if (pads.length != 4 || strides.length != 2 || outPad.length != 2) {
            n.problem("pads " + OnnxOps.dims(pads) + ", strides " + OnnxOps.dims(strides) + " and output_padding "
                    + OnnxOps.dims(outPad) + " are not those of a 2-D transposed convolution");
        }
        if (!n.problems.isEmpty()) {
            throw new Node.Stop();
        }
        Value.Tensor x = n.tensor(0);
        if (x.flat()) {
            throw n.refuse("input " + x.onnxShape() + " is not an image [N,C,H,W]");
        }
        Constant w = n.constant(1, "weight");
        if (w.dims().length != 4 || w.dims()[0] != x.c()) {
            throw n.refuse("weight '" + w.name() + "' is " + w.dimsString() + " but the input " + x.onnxShape() + " needs [" + x.c() + ",K,M,N]");
        }
        int k = (int) w.dims()[1];
        int m = (int) w.dims()[2];
        int nn = (int) w.dims()[3];
        Convs.checkKernelShape(n, kernelShape, w, m, nn);
        Constant b = Convs.bias(n, w, k, "outputs");
        int sh = (int) strides[0];
        int sw = (int) strides[1];
        long fullH = (long) sh * (x.h() - 1) + m + outPad[0];
        long fullW = (long) sw * (x.w() - 1) + nn + outPad[1];
        long[] p = pads;
        if (outShape != null) { // the total crop is what the asked-for size leaves; SAME_UPPER puts the odd row at the end
            if (outShape.length != 2) {
                throw n.refuse("output_shape " + OnnxOps.dims(outShape) + " is not [H,W]");
            }
            long th = fullH - outShape[0];
            long tw = fullW - outShape[1];
            boolean lower = autoPad.equals("SAME_LOWER");
            p = new long[] {lower ? th - th / 2 : th / 2, lower ? tw - tw / 2 : tw / 2, lower ? th / 2 : th - th / 2, lower ? tw / 2 : tw - tw / 2};
        } else {
            switch (autoPad) {
                case "NOTSET" -> { }
                case "VALID" -> p = new long[] {0, 0, 0, 0};
                case "SAME_UPPER", "SAME_LOWER" -> { // output s·H: crop M - s + a' in all
                    long th = fullH - (long) sh * x.h();
                    long tw = fullW - (long) sw * x.w();
                    boolean lower = autoPad.equals("SAME_LOWER");
                    p = new long[] {lower ? th - th / 2 : th / 2, lower ? tw - tw / 2 : tw / 2, lower ? th / 2 : th - th / 2,
                            lower ? tw / 2 : tw - tw / 2};
                }
                default -> throw n.refuse("auto_pad '" + autoPad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
            }
        }
        long ah = p[0] - p[2] + outPad[0];
        long aw = p[1] - p[3] + outPad[1];
        long outH = fullH - p[0] - p[2];
        long outW = fullW - p[1] - p[3];
        if (p[0] < 0 || p[1] < 0 || ah < 0 || ah >= sh || aw < 0 || aw >= sw) {
            throw n.refuse("pads " + OnnxOps.dims(p) + " with output_padding " + OnnxOps.dims(outPad) + " crop the " + fullH + "x" + fullW
                    + " output unevenly: cnnc's deconv crops p before and p - a after, 0 <= a < stride " + sh + "x" + sw);
        }
        if (outH < 1 || outW < 1) {
            throw n.refuse("pads " + OnnxOps.dims(p) + " leave no output of the " + fullH + "x" + fullW + " transposed convolution");
        }
        String y = n.in.claim(n);
        n.in.weight(y + ".weight", new int[] {x.c(), k, m, nn}, w.values());
        if (b != null) {
            n.in.weight(y + ".bias", new int[] {k}, b.values());
        }
        StringBuilder s = new StringBuilder(y + " = deconv(" + x.name() + ", " + k + ", kernel: " + m + "x" + nn);
        s.append(sh == 1 && sw == 1 ? "" : ", stride: " + sh + "x" + sw);
        s.append(p[0] == 0 && p[1] == 0 ? "" : ", padding: (" + p[0] + "," + p[1] + ")");
        s.append(ah == 0 && aw == 0 ? "" : ", output_padding: (" + ah + "," + aw + ")");
        s.append(b == null ? ", bias: false" : "");
        String init = n.in.hint(y, "init");
        s.append(init == null ? "" : ", init: " + init);
        n.in.emit(s + ");", n.label());
        n.define(0, new Value.Tensor(y, k, (int) outH, (int) outW, false));
    }
}
