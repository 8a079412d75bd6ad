package cnnc.onnx;

import cnnc.front.OperationNames;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The mapping table: one entry per ONNX operator, translating a node into a .cnn line (or a view
 * that needs none). docs/onnx.md is this table in prose. An operator whose cnnc operation does not
 * exist yet ({@link #pending}) is refused by name until the front end has it; then it maps with no
 * change here.
 */
final class OnnxOps {

    @FunctionalInterface
    interface Translator {
        void translate(Node n);
    }

    static final Map<String, Translator> TABLE = new LinkedHashMap<>();

    static {
        TABLE.put("Conv", Convs::conv);
        TABLE.put("BatchNormalization", OnnxOps::batchNorm);
        TABLE.put("Relu", n -> unary(n, "relu"));
        TABLE.put("Sigmoid", n -> unary(n, "sigmoid"));
        TABLE.put("Tanh", n -> unary(n, "tanh"));
        TABLE.put("LeakyRelu", n -> pending(n, "leaky_relu", "alpha", "slope", 0.01f));
        TABLE.put("Elu", n -> pending(n, "elu", "alpha", "alpha", 1f));
        TABLE.put("MaxPool", n -> Pools.pool(n, true));
        TABLE.put("AveragePool", n -> Pools.pool(n, false));
        TABLE.put("GlobalAveragePool", n -> Pools.global(n, false));
        TABLE.put("GlobalMaxPool", n -> Pools.global(n, true));
        TABLE.put("Gemm", Dense::gemm);
        TABLE.put("MatMul", Dense::matMul);
        TABLE.put("Add", OnnxOps::add);
        TABLE.put("Concat", OnnxOps::concat);
        TABLE.put("Softmax", n -> softmax(n, false));
        TABLE.put("LogSoftmax", n -> softmax(n, true));
        TABLE.put("Flatten", Views::flatten);
        TABLE.put("Reshape", Views::reshape);
        TABLE.put("Identity", Views::identity);
        TABLE.put("Dropout", Views::dropout);
        TABLE.put("Slice", Views::slice);
        TABLE.put("Pad", Views::pad);
        TABLE.put("Constant", Views::constant);
        TABLE.put("Shape", Views::shape);
        TABLE.put("Gather", Views::gather);
        TABLE.put("Unsqueeze", Views::unsqueeze);
        TABLE.put("ConvTranspose", Deconvs::deconv);
    }

    private OnnxOps() {}

    /** {@code relu(x)}, {@code sigmoid(x)}, {@code tanh(x)}: element-wise, any view. */
    static void unary(Node n, String op) {
        Value.Tensor x = n.tensor(0);
        String y = n.in.claim(n);
        n.in.emit(y + " = " + op + "(" + x.name() + ");", n.label());
        n.define(0, new Value.Tensor(y, x.c(), x.h(), x.w(), x.flat()));
    }

    /**
     * An element-wise operator with one float attribute whose cnnc operation may not exist yet
     * ({@code leaky_relu(x, slope:)}, {@code elu(x, alpha:)}): refused by name until the front end
     * defines it.
     */
    static void pending(Node n, String op, String attribute, String argument, float otherwise) {
        float a = n.f(attribute, otherwise);
        if (!OperationNames.exists(op)) {
            throw n.refuse("not supported: cnnc has no " + op + " operation");
        }
        Value.Tensor x = n.tensor(0);
        String y = n.in.claim(n);
        n.in.emit(y + " = " + op + "(" + x.name() + ", " + argument + ": " + number(a) + ");", n.label());
        n.define(0, new Value.Tensor(y, x.c(), x.h(), x.w(), x.flat()));
    }

    /**
     * {@code bn(x, per: channel)} with the running statistics (inference). On a flattened
     * {@code [N, C·H·W]} view with pixels, statistics per feature are cnnc's {@code per: element}.
     * ONNX's momentum keeps the old statistic; cnnc's weighs the new batch: {@code 1 - momentum}.
     */
    static void batchNorm(Node n) {
        float eps = n.f("epsilon", 1e-5f);
        float momentum = n.f("momentum", 0.9f);
        n.ignore("spatial", "is_test", "consumed_inputs");
        if (n.i("training_mode", 0) != 0) {
            n.problem("training_mode 1 is not supported: cnnc imports the inference graph (running statistics)");
        }
        for (int i = 1; i < n.outputs(); i++) {
            if (n.outputUsed(i)) {
                n.problem("output " + i + " (a training-mode statistic) is used; cnnc imports the inference graph");
            }
        }
        if (!n.problems.isEmpty()) {
            throw new Node.Stop();
        }
        Value.Tensor x = n.tensor(0);
        boolean perElement = x.flat() && !x.pixel();
        int[] stat = perElement ? new int[] {x.c(), x.h(), x.w()} : new int[] {x.c()};
        long count = perElement ? x.features() : x.c();
        String[] roles = {"scale", "B", "mean", "var"};
        String[] cnn = {"gamma", "beta", "running_mean", "running_var"};
        float[][] data = new float[4][];
        for (int i = 0; i < 4; i++) {
            Constant k = n.constant(i + 1, roles[i]);
            if (k.size() != count) {
                throw n.refuse(roles[i] + " '" + k.name() + "' has " + k.size() + " values " + k.dimsString() + " but the input "
                        + x.onnxShape() + " has " + count + (perElement ? " features" : " channels"));
            }
            data[i] = k.values();
        }
        String y = n.in.claim(n);
        for (int i = 0; i < 4; i++) {
            n.in.weight(y + "." + cnn[i], stat, data[i]);
        }
        StringBuilder args = new StringBuilder(y + " = bn(" + x.name() + ", per: " + (perElement ? "element" : "channel"));
        double e = Double.parseDouble(Float.toString(eps));
        if (e != 1e-5) {
            args.append(", eps: ").append(number(eps));
        }
        double m = complement(momentum);
        if (m != 0.1) {
            args.append(", momentum: ").append(numberText(m));
        }
        n.in.emit(args + ");", n.label() + (perElement ? " on the flattened " + x.onnxShape() + ": statistics per feature" : ""));
        n.define(0, new Value.Tensor(y, x.c(), x.h(), x.w(), x.flat()));
    }

    /** {@code add(a, b)} of two tensors, or the bias of a MatMul folded into its full. */
    static void add(Node n) {
        Value.Tensor folded = n.in.absorbed.get(n.proto);
        if (folded != null) {
            n.define(0, folded);
            return;
        }
        Value a = n.value(0);
        Value b = n.value(1);
        if (a instanceof Value.Const || b instanceof Value.Const) {
            throw n.refuse("adds a constant " + (a instanceof Value.Const c ? c.k().dimsString() : ((Value.Const) b).k().dimsString())
                    + ": cnnc's add sums two tensors (a bias is taken only right after MatMul, Gemm or Conv)");
        }
        Value.Tensor x = n.tensor(0);
        Value.Tensor z = n.tensor(1);
        if (x.c() != z.c() || x.h() != z.h() || x.w() != z.w() || x.flat() != z.flat()) {
            throw n.refuse("adds " + x.onnxShape() + " and " + z.onnxShape() + ": cnnc's add needs two tensors of one shape (no broadcasting)");
        }
        String y = n.in.claim(n);
        n.in.emit(y + " = add(" + x.name() + ", " + z.name() + ");", n.label());
        n.define(0, new Value.Tensor(y, x.c(), x.h(), x.w(), x.flat()));
    }

    /** {@code concat(a, b, ...)} along channels; a concatenation of shape vectors is shape arithmetic. */
    static void concat(Node n) {
        long axis = n.i("axis", 1);
        if (n.value(0) instanceof Value.Sym || n.value(0) instanceof Value.Const) {
            Views.concatShape(n, axis);
            return;
        }
        Value.Tensor first = n.tensor(0);
        int rank = first.flat() ? 2 : 4;
        if (axis < 0) {
            axis += rank;
        }
        if (axis != 1) {
            throw n.refuse("axis " + n.i("axis", 1) + " of " + first.onnxShape() + " is not supported: cnnc concatenates along channels (axis 1)");
        }
        StringBuilder args = new StringBuilder();
        int c = 0;
        for (int i = 0; i < n.inputs(); i++) {
            Value.Tensor t = n.tensor(i);
            if (t.flat() != first.flat() || t.h() != first.h() || t.w() != first.w()) {
                throw n.refuse("joins " + first.onnxShape() + " and " + t.onnxShape()
                        + ": cnnc's concat needs tensors of one height and width");
            }
            c += t.c();
            args.append(i == 0 ? "" : ", ").append(t.name());
        }
        String y = n.in.claim(n);
        n.in.emit(y + " = concat(" + args + ");", n.label());
        n.define(0, new Value.Tensor(y, c, first.h(), first.w(), first.flat()));
    }

    /**
     * {@code softmax(x)}: over channels at every pixel. LogSoftmax only as the graph's output, where
     * cnnc reports the probabilities (the exponential of ONNX's output; the same classes).
     */
    static void softmax(Node n, boolean log) {
        long axis = n.i("axis", n.opset() >= 13 ? -1 : 1);
        Value.Tensor x = n.tensor(0);
        int rank = x.flat() ? 2 : 4;
        long a = axis < 0 ? axis + rank : axis;
        boolean channels = x.pixel() ? a >= 1 : (a == 1 && !x.flat() && n.opset() >= 13);
        if (!channels) {
            throw n.refuse("axis " + axis + " of " + x.onnxShape() + " (opset " + n.opset() + ") is not supported: cnnc's softmax "
                    + "normalizes over the channels at every pixel");
        }
        boolean output = n.in.isGraphOutput(n.proto.getOutput(0));
        if (log && !output) {
            throw n.refuse("LogSoftmax is supported only as the graph's output (cnnc has no log-softmax tensor)");
        }
        String y = n.in.claim(n);
        n.in.emit(y + " = softmax(" + x.name() + ");", n.label()
                + (log ? ": cnnc outputs the softmax, the exponential of ONNX's output (the same classes)" : ""));
        n.define(0, new Value.Tensor(y, x.c(), x.h(), x.w(), x.flat()));
        if (output) {
            n.in.softmaxOutput = n.proto.getOutput(0);
        }
    }

    /** A float as the .cnn grammar writes it: the shortest decimal that reads back as the same float. */
    static String number(float f) {
        if (!Float.isFinite(f)) {
            throw new IllegalArgumentException("not a finite number: " + f);
        }
        return Float.toString(f);
    }

    static String numberText(double d) {
        return Double.toString(d);
    }

    /** The shortest decimal {@code d} with {@code (float) (1 - d) == m}: ONNX's momentum in cnnc's sense. */
    static double complement(float m) {
        double exact = 1 - (double) m;
        for (int digits = 1; digits < 17; digits++) {
            double d = new BigDecimal(exact).round(new MathContext(digits)).doubleValue();
            if ((float) (1 - d) == m) {
                return d;
            }
        }
        return exact;
    }

    static String dims(long[] d) {
        return Arrays.toString(d).replace(" ", "");
    }
}
