package cnnc.onnx;

import ai.onnx.proto.OnnxMl;
import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Activation;
import cnnc.ops.Add;
import cnnc.ops.BatchNorm;
import cnnc.ops.Concat;
import cnnc.ops.Conv;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Dropout;
import cnnc.ops.Full;
import cnnc.ops.Pool;
import cnnc.ops.Softmax;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cnnc model's inference graph as ONNX: bn with its running statistics, the softmax as output,
 * the .cnn names kept (node, value and initializer names), each node's doc_string its .cnn line.
 * Tensors are {@code [N,C,H,W]}, or {@code [N,L]} after a full (ONNX's Gemm works on matrices);
 * a Flatten or Reshape converts where an operation needs the other form. What ONNX cannot say
 * directly is rewritten exactly: a negative conv pad is a Slice before the Conv, bn per element is a
 * BatchNormalization over the flattened {@code [N, C·H·W]}. Settings that only training uses
 * (init) are kept as metadata, so importing the file gives back the same graph.
 */
public final class Exporter {

    public static final int DEFAULT_OPSET = 13;
    public static final int MIN_OPSET = 9;
    public static final int MAX_OPSET = 18;

    private final Model model;
    private final TensorFile weights;
    private final int opset;
    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
    private final OnnxMl.ModelProto.Builder out = OnnxMl.ModelProto.newBuilder();
    /** ONNX value names of each .cnn tensor: its 4-D form and its flattened [N, L] form, where made. */
    private final Map<String, String> as4 = new HashMap<>();
    private final Map<String, String> as2 = new HashMap<>();
    private final Map<String, Buffer> tensors = new HashMap<>();

    private Exporter(Model model, TensorFile weights, int opset) {
        this.model = model;
        this.weights = weights;
        this.opset = opset;
    }

    /** The ONNX model; {@code weights} holds every parameter and running statistic of {@code model}. */
    public static OnnxMl.ModelProto export(Model model, TensorFile weights, int opset) {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("opset " + opset + " is not supported: cnnc writes opsets " + MIN_OPSET + " to " + MAX_OPSET);
        }
        return new Exporter(model, weights, opset).run();
    }

    /** ONNX's IR version for an opset (onnx/docs/Versioning.md). */
    static int irVersion(int opset) {
        return opset <= 9 ? 4 : opset == 10 ? 5 : opset == 11 ? 6 : opset <= 14 ? 7 : opset <= 18 ? 8 : 9;
    }

    private OnnxMl.ModelProto run() {
        graph.setName(model.name());
        Buffer x = model.input();
        tensors.put(x.name(), x);
        as4.put(x.name(), x.name());
        graph.addInput(valueInfo(x.name(), List.of(-1L, (long) x.shape().c(), (long) x.shape().h(), (long) x.shape().w())));
        for (Step s : model.forward().steps()) {
            step(s);
        }
        Buffer y = model.output();
        boolean flat = as2.containsKey(y.name()) && !as4.containsKey(y.name()) || y.shape().h() * y.shape().w() == 1;
        String name = flat ? flat(y.name()) : image(y.name());
        if (!name.equals(y.name())) { // the output carries the .cnn name
            node("Identity", y.name() + ".out", List.of(name), y.name(), null);
            name = y.name();
        }
        graph.addOutput(valueInfo(name, flat ? List.of(-1L, y.shape().perSample()) : dims4(y)));
        out.setIrVersion(irVersion(opset)).setProducerName("cnnc").setProducerVersion("0.1.0")
                .setDocString("Exported by cnnc from " + model.source().name() + ": the inference graph of network " + model.name())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        if (model.target() != null) {
            meta("cnnc.target", model.target().name());
        }
        return out.setGraph(graph).build();
    }

    private static List<Long> dims4(Buffer b) {
        return List.of(-1L, (long) b.shape().c(), (long) b.shape().h(), (long) b.shape().w());
    }

    private void step(Step s) {
        String y = s.node();
        tensors.put(y, s.output());
        String doc = ".cnn line " + s.pos().line() + ": " + (s.pos().file() == null ? "" : s.pos().file().line(s.pos().line()).strip());
        switch ((cnnc.ops.ForwardOp) s.op()) {
            case Conv c -> conv(s, c, doc);
            case BatchNorm b -> batchNorm(s, b, doc);
            case Activation a -> {
                String op = switch (a.fn()) {
                    case RELU -> "Relu";
                    case SIGMOID -> "Sigmoid";
                    case TANH -> "Tanh";
                    case LEAKY_RELU -> "LeakyRelu";
                    case ELU -> "Elu";
                };
                String in = s.input(0).name();
                boolean flat = as2.containsKey(in) && !as4.containsKey(in);
                OnnxMl.NodeProto.Builder n = node(op, y, List.of(flat ? flat(in) : image(in)), y, doc);
                if (a.fn().param != null) { // slope of leaky_relu, alpha of elu: ONNX's alpha for both
                    n.addAttribute(attr("alpha", (float) a.a()));
                }
                (flat ? as2 : as4).put(y, y);
            }
            case Pool p -> {
                OnnxMl.NodeProto.Builder n = node(p.max() ? "MaxPool" : "AveragePool", y, List.of(image(s.input(0).name())), y, doc);
                n.addAttribute(ints("kernel_shape", p.p(), p.q())).addAttribute(ints("strides", p.sh(), p.sw()));
                if (p.ceil()) {
                    if (opset < 10) {
                        throw new IllegalArgumentException(y + ": pooling with ceil needs opset 10 or later (ceil_mode)");
                    }
                    n.addAttribute(attr("ceil_mode", 1));
                }
                as4.put(y, y);
            }
            case Full f -> full(s, f, doc);
            case Softmax sm -> {
                String in = s.input(0).name();
                Buffer b = s.input(0);
                boolean flat = b.shape().h() * b.shape().w() == 1;
                if (!flat && opset < 13) {
                    throw new IllegalArgumentException(y + ": a softmax over the channels of " + b.shape().h() + "x" + b.shape().w()
                            + " maps needs opset 13 or later");
                }
                node("Softmax", y, List.of(flat ? flat(in) : image(in)), y, doc).addAttribute(attr("axis", 1));
                (flat ? as2 : as4).put(y, y);
            }
            case Add a -> {
                String l = s.input(0).name();
                String r = s.input(1).name();
                boolean flat = as2.containsKey(l) && !as4.containsKey(l) && as2.containsKey(r) && !as4.containsKey(r);
                node("Add", y, flat ? List.of(flat(l), flat(r)) : List.of(image(l), image(r)), y, doc);
                (flat ? as2 : as4).put(y, y);
            }
            case Concat c -> {
                List<String> in = new ArrayList<>();
                for (Buffer b : s.inputs()) {
                    in.add(image(b.name()));
                }
                node("Concat", y, in, y, doc).addAttribute(attr("axis", 1));
                as4.put(y, y);
            }
            case CrossEntropy c -> {
                // training only: the inference graph ends at the softmax
            }
            case cnnc.ops.Deconv d -> deconv(s, d, doc);
            case Dropout d -> dropout(s, d, doc);
        }
    }

    /** ConvTranspose: weight {@code [C][K][M][N]} as cnnc lays it out; PyTorch's padding as symmetric pads, output_padding as is. */
    private void deconv(Step s, cnnc.ops.Deconv d, String doc) {
        String y = s.node();
        List<String> inputs = new ArrayList<>(List.of(image(s.input(0).name()), initializer(y + ".weight", null)));
        if (d.bias()) {
            inputs.add(initializer(y + ".bias", null));
        }
        OnnxMl.NodeProto.Builder n = node("ConvTranspose", y, inputs, y, doc).addAttribute(ints("kernel_shape", d.m(), d.n()))
                .addAttribute(ints("pads", d.ph(), d.pw(), d.ph(), d.pw())).addAttribute(ints("strides", d.sh(), d.sw()));
        if (d.ah() + d.aw() > 0) {
            n.addAttribute(ints("output_padding", d.ah(), d.aw()));
        }
        if (d.init() == cnnc.ir.Init.XAVIER) {
            meta("cnnc." + y + ".init", d.init().word());
        }
        as4.put(y, y);
    }

    private void conv(Step s, Conv c, String doc) {
        String y = s.node();
        String in = image(s.input(0).name());
        Buffer x = s.input(0);
        int[] crop = {Math.max(0, -c.pt()), Math.max(0, -c.pl()), Math.max(0, -c.pb()), Math.max(0, -c.pr())};
        if (crop[0] + crop[1] + crop[2] + crop[3] > 0) { // a negative pad crops: a Slice before the Conv
            String sliced = y + ".crop";
            long[] starts = {crop[0], crop[1]};
            long[] ends = {x.shape().h() - crop[2], x.shape().w() - crop[3]};
            long[] axes = {2, 3};
            if (opset < 10) {
                node("Slice", sliced, List.of(in), sliced, "the negative pads of " + y).addAttribute(ints("starts", starts))
                        .addAttribute(ints("ends", ends)).addAttribute(ints("axes", axes));
            } else {
                node("Slice", sliced, List.of(in, longs(sliced + ".starts", starts), longs(sliced + ".ends", ends),
                        longs(sliced + ".axes", axes)), sliced, "the negative pads of " + y);
            }
            in = sliced;
        }
        List<String> inputs = new ArrayList<>(List.of(in, initializer(y + ".weight", null)));
        if (c.bias()) {
            inputs.add(initializer(y + ".bias", null));
        }
        node("Conv", y, inputs, y, doc).addAttribute(ints("kernel_shape", c.m(), c.n()))
                .addAttribute(ints("pads", Math.max(c.pt(), 0), Math.max(c.pl(), 0), Math.max(c.pb(), 0), Math.max(c.pr(), 0)))
                .addAttribute(ints("strides", c.sh(), c.sw()));
        if (c.init() == cnnc.ir.Init.XAVIER) {
            meta("cnnc." + y + ".init", c.init().word());
        }
        if (c.padding() instanceof cnnc.ops.Conv.Padding.Anchor a) {
            meta("cnnc." + y + ".anchor", "(" + a.m() + "," + a.n() + ")");
        }
        as4.put(y, y);
    }

    /**
     * ONNX's Dropout in inference mode (no {@code training_mode} input, which defaults to false), where
     * it is the identity as dropout is in cnnc's inference graph; the ratio is kept (an attribute before
     * opset 12, an input from 12) so that importing the file gives back {@code dropout(x, p:)}.
     */
    private void dropout(Step s, Dropout d, String doc) {
        String y = s.node();
        String in = s.input(0).name();
        boolean flat = as2.containsKey(in) && !as4.containsKey(in);
        String x = flat ? flat(in) : image(in);
        if (opset < 12) {
            node("Dropout", y, List.of(x), y, doc).addAttribute(attr("ratio", (float) d.p()));
        } else {
            graph.addInitializer(floats(y + ".ratio", new long[0], new float[] {(float) d.p()}));
            node("Dropout", y, List.of(x, y + ".ratio"), y, doc);
        }
        (flat ? as2 : as4).put(y, y);
    }

    /** Per channel: BatchNormalization as it is. Per element: over the flattened [N, C·H·W], one statistic per feature. */
    private void batchNorm(Step s, BatchNorm b, String doc) {
        String y = s.node();
        Buffer x = s.input(0);
        boolean onFlat = !b.perChannel() || x.shape().h() * x.shape().w() == 1 && as2.containsKey(x.name()) && !as4.containsKey(x.name());
        long[] stat = b.perChannel() ? null : new long[] {x.shape().perSample()};
        List<String> in = List.of(onFlat ? flat(x.name()) : image(x.name()), initializer(y + ".gamma", stat), initializer(y + ".beta", stat),
                initializer(y + ".running_mean", stat), initializer(y + ".running_var", stat));
        node("BatchNormalization", y, in, y, doc).addAttribute(attr("epsilon", (float) b.eps()))
                .addAttribute(attr("momentum", (float) (1 - b.momentum())));
        (onFlat ? as2 : as4).put(y, y);
    }

    private void full(Step s, Full f, String doc) {
        String y = s.node();
        String in = flat(s.input(0).name());
        if (f.bias() || opset >= 11) {
            List<String> inputs = new ArrayList<>(List.of(in, initializer(y + ".weight", null)));
            if (f.bias()) {
                inputs.add(initializer(y + ".bias", null));
            }
            node("Gemm", y, inputs, y, doc).addAttribute(attr("transB", 1));
        } else { // Gemm before opset 11 needs a bias: MatMul with the transposed matrix
            Tensor w = weight(y + ".weight");
            int k = w.shape()[0];
            int l = w.shape()[1];
            float[] t = new float[k * l];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < l; j++) {
                    t[j * k + i] = w.floats()[i * l + j];
                }
            }
            graph.addInitializer(floats(y + ".weight_t", new long[] {l, k}, t));
            node("MatMul", y, List.of(in, y + ".weight_t"), y, doc);
        }
        if (f.init() == cnnc.ir.Init.XAVIER) {
            meta("cnnc." + y + ".init", f.init().word());
        }
        as2.put(y, y);
    }

    // ---- forms

    /** The tensor as {@code [N,C,H,W]}, reshaping its flat form back if that is all there is. */
    private String image(String name) {
        String v = as4.get(name);
        if (v != null) {
            return v;
        }
        Buffer b = tensors.get(name);
        String r = name + ".nchw";
        node("Reshape", r, List.of(as2.get(name), longs(r + ".shape", new long[] {0, b.shape().c(), b.shape().h(), b.shape().w()})), r,
                "back to N x C x H x W");
        as4.put(name, r);
        return r;
    }

    /** The tensor as {@code [N, C·H·W]}, flattening its 4-D form if that is all there is. */
    private String flat(String name) {
        String v = as2.get(name);
        if (v != null) {
            return v;
        }
        String r = name + ".flat";
        node("Flatten", r, List.of(as4.get(name)), r, "N x C·H·W, the order full reads").addAttribute(attr("axis", 1));
        as2.put(name, r);
        return r;
    }

    // ---- protobuf pieces

    private OnnxMl.NodeProto.Builder node(String op, String output, List<String> inputs, String name, String doc) {
        OnnxMl.NodeProto.Builder n = graph.addNodeBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
        if (doc != null) {
            n.setDocString(doc);
        }
        return n;
    }

    private Tensor weight(String name) {
        Tensor t = weights.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the weights have no " + name);
        }
        return t;
    }

    /** Adds the weight {@code name} as an initializer (reshaped to {@code dims} if given); returns its name. */
    private String initializer(String name, long[] dims) {
        Tensor t = weight(name);
        long[] d = dims;
        if (d == null) {
            d = new long[t.shape().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = t.shape()[i];
            }
        }
        graph.addInitializer(floats(name, d, t.floats()));
        return name;
    }

    private static OnnxMl.TensorProto floats(String name, long[] dims, float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(Constant.FLOAT);
        for (long d : dims) {
            t.addDims(d);
        }
        return t.setRawData(ByteString.copyFrom(b.array())).build();
    }

    private String longs(String name, long[] values) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(Constant.INT64).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return name;
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, List<Long> dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(Constant.FLOAT).setShape(shape))).build();
    }

    private static OnnxMl.AttributeProto attr(String name, long v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static OnnxMl.AttributeProto attr(String name, float v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static OnnxMl.AttributeProto ints(String name, long... v) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private void meta(String key, String value) {
        out.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }
}
