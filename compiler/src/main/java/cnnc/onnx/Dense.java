package cnnc.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.List;

/**
 * Gemm ({@code Y = alpha·A·op(B) + beta·C}) and MatMul, with an Add of a constant right after it,
 * → {@code full(x, K, bias)}: cnnc's {@code W[K][L]} is {@code alpha·B} (Gemm with transB, as
 * PyTorch writes Linear) or its transpose, the bias {@code beta·C}. The input is the flattened
 * view {@code [N, C·H·W]}, whose order is what full reads.
 */
final class Dense {

    private Dense() {}

    static void gemm(Node n) {
        float alpha = n.f("alpha", 1f);
        float beta = n.f("beta", 1f);
        boolean transA = n.i("transA", 0) != 0;
        boolean transB = n.i("transB", 0) != 0;
        n.ignore("broadcast");
        if (transA) {
            throw n.refuse("transA 1 is not supported: the input must be [N, L] (one sample per row)");
        }
        Value.Tensor a = input(n);
        Constant b = n.constant(1, "B");
        if (b.dims().length != 2) {
            throw n.refuse("B '" + b.name() + "' is " + b.dimsString() + ", not a matrix");
        }
        int k = (int) (transB ? b.dims()[0] : b.dims()[1]);
        int l = (int) (transB ? b.dims()[1] : b.dims()[0]);
        if (l != a.features()) {
            throw n.refuse("B '" + b.name() + "' is " + b.dimsString() + (transB ? " (transposed)" : "") + " but the input "
                    + a.onnxShape() + " has " + a.features() + " features");
        }
        float[] bias = null;
        if (n.hasInput(2)) {
            Constant c = n.constant(2, "C");
            bias = bias(n, c, k, beta);
        }
        float[] w = matrix(b.values(), k, l, transB, alpha);
        full(n, a, k, l, w, bias, n.label());
    }

    /** MatMul {@code A·B} (B constant {@code [L, K]}); an Add of a constant {@code [K]} after it is its bias. */
    static void matMul(Node n) {
        Value.Tensor a = input(n);
        Constant b = n.constant(1, "B");
        if (b.dims().length != 2 || b.dims()[0] != a.features()) {
            throw n.refuse("B '" + b.name() + "' is " + b.dimsString() + " but the input " + a.onnxShape() + " needs [" + a.features() + ",K]");
        }
        int l = (int) b.dims()[0];
        int k = (int) b.dims()[1];
        float[] bias = null;
        String label = n.label();
        OnnxMl.NodeProto add = biasAdd(n);
        if (add != null) {
            String other = add.getInput(0).equals(n.proto.getOutput(0)) ? add.getInput(1) : add.getInput(0);
            Constant c = ((Value.Const) n.in.value(other)).k();
            bias = bias(n, c, k, 1f);
            label += " + Add '" + Importer.nodeName(add) + "' (its bias)";
        }
        Value.Tensor y = full(n, a, k, l, matrix(b.values(), k, l, false, 1f), bias, label);
        if (add != null) {
            n.in.absorbed.put(add, y);
        }
    }

    /** The Add that is MatMul's only consumer and adds a constant of K values, or null. */
    private static OnnxMl.NodeProto biasAdd(Node n) {
        String out = n.proto.getOutput(0);
        List<OnnxMl.NodeProto> users = n.in.consumers(out);
        if (users.size() != 1 || !users.get(0).getOpType().equals("Add") || n.in.isGraphOutput(out)) {
            return null;
        }
        OnnxMl.NodeProto add = users.get(0);
        if (add.getInputCount() != 2) {
            return null;
        }
        String other = add.getInput(0).equals(out) ? add.getInput(1) : add.getInput(0);
        return n.in.value(other) instanceof Value.Const ? add : null;
    }

    private static Value.Tensor input(Node n) {
        Value.Tensor a = n.tensor(0);
        if (!a.flat() && !a.pixel()) {
            throw n.refuse("input " + a.onnxShape() + " is not a matrix [N, L] (flatten it first)");
        }
        return a;
    }

    /** {@code beta·C} as K values: C may be [K], [1,K] or one value. */
    private static float[] bias(Node n, Constant c, int k, float beta) {
        float[] v = c.values();
        if (v.length != k && v.length != 1) {
            throw n.refuse("bias '" + c.name() + "' is " + c.dimsString() + "; cnnc's full adds one value per output (" + k + ")");
        }
        float[] out = new float[k];
        for (int i = 0; i < k; i++) {
            out[i] = beta * v[v.length == 1 ? 0 : i];
        }
        return out;
    }

    /** cnnc's {@code W[K][L]} from B ({@code [K][L]} when transposed, else {@code [L][K]}), scaled. */
    private static float[] matrix(float[] b, int k, int l, boolean transposed, float alpha) {
        float[] w = new float[k * l];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < l; j++) {
                w[i * l + j] = alpha * (transposed ? b[i * l + j] : b[j * k + i]);
            }
        }
        return w;
    }

    private static Value.Tensor full(Node n, Value.Tensor a, int k, int l, float[] w, float[] bias, String label) {
        String y = n.in.claim(n);
        n.in.weight(y + ".weight", new int[] {k, l}, w);
        if (bias != null) {
            n.in.weight(y + ".bias", new int[] {k}, bias);
        }
        String init = n.in.hint(y, "init");
        n.in.emit(y + " = full(" + a.name() + ", " + k + (bias == null ? ", bias: false" : "") + (init == null ? "" : ", init: " + init) + ");",
                label);
        Value.Tensor t = new Value.Tensor(y, k, 1, 1, true);
        n.define(0, t);
        return t;
    }
}
