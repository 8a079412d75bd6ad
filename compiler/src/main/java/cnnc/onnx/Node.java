package cnnc.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One ONNX node as a translator sees it: typed attribute reads (every attribute a translator does not
 * read is reported as unsupported), its inputs as {@link Value}s, its problems, and its outputs.
 */
final class Node {

    /** Thrown to stop translating a node; its problems (if any) are already recorded. */
    static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    final OnnxMl.NodeProto proto;
    final Importer in;
    final List<String> problems = new ArrayList<>();
    private final Set<String> read = new HashSet<>();

    Node(OnnxMl.NodeProto proto, Importer in) {
        this.proto = proto;
        this.in = in;
    }

    String op() {
        return proto.getOpType();
    }

    /** The node's name, else its first output's. */
    String name() {
        return !proto.getName().isEmpty() ? proto.getName() : proto.getOutputCount() > 0 ? proto.getOutput(0) : "";
    }

    /** {@code Conv '/conv1/Conv'}. */
    String label() {
        return op() + " '" + name() + "'";
    }

    int opset() {
        return in.opset;
    }

    // ---- problems

    void problem(String what) {
        problems.add(what);
    }

    /** Records a problem and stops translating this node. */
    Stop refuse(String what) {
        problem(what);
        return new Stop();
    }

    /** Attributes present but never read by the translator: each one unsupported. */
    void reportUnread() {
        for (OnnxMl.AttributeProto a : proto.getAttributeList()) {
            if (!read.contains(a.getName())) {
                problem("attribute '" + a.getName() + "' is not supported");
            }
        }
    }

    // ---- attributes

    private OnnxMl.AttributeProto attr(String name) {
        read.add(name);
        for (OnnxMl.AttributeProto a : proto.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    boolean has(String name) {
        return attr(name) != null;
    }

    long i(String name, long otherwise) {
        OnnxMl.AttributeProto a = attr(name);
        return a == null ? otherwise : a.getI();
    }

    float f(String name, float otherwise) {
        OnnxMl.AttributeProto a = attr(name);
        return a == null ? otherwise : a.getF();
    }

    String s(String name, String otherwise) {
        OnnxMl.AttributeProto a = attr(name);
        return a == null ? otherwise : a.getS().toStringUtf8();
    }

    long[] ints(String name, long[] otherwise) {
        OnnxMl.AttributeProto a = attr(name);
        return a == null ? otherwise : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    OnnxMl.TensorProto t(String name) {
        OnnxMl.AttributeProto a = attr(name);
        return a == null || !a.hasT() ? null : a.getT();
    }

    /** Marks an attribute read without using it (it does not change the inference result). */
    void ignore(String... names) {
        read.addAll(Arrays.asList(names));
    }

    // ---- inputs

    /** The number of inputs, counting empty (omitted optional) ones in the middle. */
    int inputs() {
        return proto.getInputCount();
    }

    boolean hasInput(int i) {
        return i < proto.getInputCount() && !proto.getInput(i).isEmpty();
    }

    String inputName(int i) {
        return proto.getInput(i);
    }

    Value value(int i) {
        if (!hasInput(i)) {
            throw refuse("input " + i + " is required");
        }
        Value v = in.value(proto.getInput(i));
        if (v instanceof Value.Failed) {
            throw new Stop();
        }
        return v;
    }

    /** Input {@code i} as a cnnc tensor, or a problem. */
    Value.Tensor tensor(int i) {
        Value v = value(i);
        if (v instanceof Value.Tensor t) {
            return t;
        }
        throw refuse("input '" + inputName(i) + "' is " + describe(v) + "; cnnc needs a tensor computed from the network's input here");
    }

    /** Input {@code i} as a constant, or a problem. */
    Constant constant(int i, String what) {
        Value v = value(i);
        if (v instanceof Value.Const c) {
            return c.k();
        }
        throw refuse(what + " '" + inputName(i) + "' is " + describe(v) + "; cnnc needs it constant (an initializer)");
    }

    static String describe(Value v) {
        return switch (v) {
            case Value.Tensor t -> "a tensor " + t.onnxShape();
            case Value.Const c -> "a constant " + c.k().dimsString();
            case Value.Crop c -> "a slice of '" + c.base().name() + "'";
            case Value.Sym s -> "a shape vector";
            case Value.Failed f -> "not translated";
        };
    }

    // ---- outputs

    int outputs() {
        return proto.getOutputCount();
    }

    /** Whether output {@code i} exists and something reads it (another node or the graph's output). */
    boolean outputUsed(int i) {
        return i < proto.getOutputCount() && !proto.getOutput(i).isEmpty() && in.isUsed(proto.getOutput(i));
    }

    void define(int i, Value v) {
        in.define(this, proto.getOutput(i), v);
    }
}
