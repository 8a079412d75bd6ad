package cnnc.onnx;

import ai.onnx.proto.OnnxMl;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Translates an ONNX model into {@code .cnn} source text and a weights file in cnnc's names and
 * layouts. Each ONNX node maps to one .cnn line (commented with its op type and name) through
 * {@link OnnxOps}; views (Flatten, Reshape to a vector, Identity, Dropout) map to none. Every node
 * cnnc cannot express is reported, all in one {@link OnnxError}.
 */
public final class Importer {

    /**
     * @param classifier  append a softmax when the graph ends in logits, and a target and a loss
     * @param inputShape  {@code C x H x W} of one sample for an input whose dimensions are not fixed (null: the file's)
     */
    public record Settings(boolean classifier, int[] inputShape) {
        public static Settings defaults() {
            return new Settings(true, null);
        }
    }

    /** The .cnn text, its network's name and its weights ({@code <node>.weight}, ...). */
    public record Result(String text, String network, TensorFile weights) {}

    /** Graph names exporters use for every model; the file's name says more. */
    private static final Set<String> GENERIC = Set.of("torch_jit", "torch-jit-export", "main_graph", "graph", "model", "");

    final String file;
    final int opset;
    private final OnnxMl.ModelProto model;
    private final Path dir;
    private final Settings settings;
    final Names names = new Names();
    final TensorFile weights = new TensorFile();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, OnnxMl.ValueInfoProto> declared = new HashMap<>();
    private final Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final Map<String, String> hints = new HashMap<>();
    /** Add nodes folded into the MatMul before them: the Add's output is the MatMul's full. */
    final Map<OnnxMl.NodeProto, Value.Tensor> absorbed = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String[]> lines = new ArrayList<>();
    long declaredBatch = -1;
    String softmaxOutput;

    private Importer(String file, OnnxMl.ModelProto model, Path dir, Settings settings) {
        this.file = file;
        this.model = model;
        this.dir = dir;
        this.settings = settings;
        this.opset = OnnxFile.opset(model);
    }

    /** Imports a file. */
    public static Result importFile(Path path, Settings settings) {
        OnnxMl.ModelProto model = OnnxFile.read(path);
        Path dir = path.toAbsolutePath().getParent();
        return importModel(path.toString(), model, dir, stem(path), settings);
    }

    /** Imports a model; {@code dir} holds its external data, {@code fallbackName} names a network whose graph name says nothing. */
    public static Result importModel(String file, OnnxMl.ModelProto model, Path dir, String fallbackName, Settings settings) {
        return new Importer(file, model, dir, settings).run(fallbackName);
    }

    static String stem(Path path) {
        String n = path.getFileName().toString();
        return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }

    private Result run(String fallbackName) {
        if (opset < 1 || opset > 21) {
            throw new OnnxError(file, "opset " + opset + " of ai.onnx is not supported (cnnc reads opsets 1 to 21; it is tested on 9 to 18"
                    + " and on ONNX's node tests)");
        }
        OnnxMl.GraphProto g = model.getGraph();
        model.getMetadataPropsList().forEach(p -> hints.put(p.getKey(), p.getValue()));
        String network = networkName(g, fallbackName);
        for (OnnxMl.ValueInfoProto v : g.getValueInfoList()) {
            declared.put(v.getName(), v);
        }
        for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
            declared.put(v.getName(), v);
            graphOutputs.add(v.getName());
        }
        readInitializers(g);
        String input = readInput(g);
        List<OnnxMl.NodeProto> order = sort(g);
        for (OnnxMl.NodeProto n : order) {
            for (String i : n.getInputList()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        for (OnnxMl.NodeProto n : order) {
            translate(n);
        }
        String output = output(g);
        if (!problems.isEmpty()) {
            throw new OnnxError(file, problems);
        }
        return new Result(text(network, input, output), network, weights);
    }

    private String networkName(OnnxMl.GraphProto g, String fallback) {
        String n = GENERIC.contains(g.getName()) ? null : Names.legal(g.getName(), null);
        if (n == null) {
            n = Names.legal(fallback, null);
        }
        return n == null ? "imported" : n;
    }

    private void readInitializers(OnnxMl.GraphProto g) {
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            try {
                values.put(t.getName(), new Value.Const(Constant.read(t, dir)));
            } catch (IllegalArgumentException e) {
                problems.add("initializer " + e.getMessage());
                values.put(t.getName(), new Value.Failed());
            }
        }
    }

    /** The one input that is not an initializer: a tensor {@code [N,C,H,W]} or {@code [N,L]}. Returns its .cnn line's comment. */
    private String readInput(OnnxMl.GraphProto g) {
        List<OnnxMl.ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !values.containsKey(v.getName())).toList();
        if (inputs.size() != 1) {
            problems.add("the graph has " + inputs.size() + " inputs" + (inputs.isEmpty() ? "" : " ("
                    + String.join(", ", inputs.stream().map(OnnxMl.ValueInfoProto::getName).toList()) + ")")
                    + "; a cnnc network has one input tensor (give the others as initializers)");
            inputs.forEach(v -> values.put(v.getName(), new Value.Failed()));
            return null;
        }
        OnnxMl.ValueInfoProto v = inputs.get(0);
        String where = "input '" + v.getName() + "'";
        OnnxMl.TypeProto.Tensor type = v.getType().getTensorType();
        if (!v.getType().hasTensorType() || type.getElemType() != Constant.FLOAT) {
            problems.add(where + " is " + (v.getType().hasTensorType() ? OnnxMl.TensorProto.DataType.forNumber(type.getElemType())
                    + "" : "not a tensor") + "; cnnc networks read FLOAT tensors");
            values.put(v.getName(), new Value.Failed());
            return null;
        }
        List<OnnxMl.TensorShapeProto.Dimension> dims = type.getShape().getDimList();
        String shown = dimsText(dims);
        int rank = dims.size();
        if (rank != 4 && rank != 2) {
            problems.add(where + " has shape " + shown + "; cnnc reads images [N,C,H,W] or vectors [N,L]");
            values.put(v.getName(), new Value.Failed());
            return null;
        }
        if (dims.get(0).hasDimValue()) {
            declaredBatch = dims.get(0).getDimValue();
        }
        int[] chw = new int[] {1, 1, 1};
        boolean known = true;
        for (int i = 1; i < rank; i++) {
            if (dims.get(i).hasDimValue() && dims.get(i).getDimValue() > 0) {
                chw[i - 1] = (int) dims.get(i).getDimValue();
            } else {
                known = false;
            }
        }
        if (settings.inputShape() != null) {
            int[] given = settings.inputShape();
            int[] want = rank == 4 ? given : new int[] {given[0] * given[1] * given[2], 1, 1};
            for (int i = 1; i < rank; i++) {
                if (dims.get(i).hasDimValue() && dims.get(i).getDimValue() > 0 && dims.get(i).getDimValue() != want[i - 1]) {
                    problems.add(where + " has shape " + shown + ", which --input-shape " + given[0] + "x" + given[1] + "x" + given[2]
                            + " contradicts");
                    values.put(v.getName(), new Value.Failed());
                    return null;
                }
            }
            chw = want;
        } else if (!known) {
            problems.add(where + " has shape " + shown + ": only the batch (the first) dimension may be unknown; give the others"
                    + " with --input-shape CxHxW");
            values.put(v.getName(), new Value.Failed());
            return null;
        }
        String name = names.claim(nameOr(Names.legal(v.getName(), null), "x"));
        values.put(v.getName(), new Value.Tensor(name, chw[0], chw[1], chw[2], rank == 2));
        return "input " + name + " : " + chw[0] + "x" + chw[1] + "x" + chw[2] + ";|ONNX input '" + v.getName() + "' " + shown
                + (dims.get(0).hasDimValue() ? "" : " (the batch N is chosen when compiling)");
    }

    static String dimsText(List<OnnxMl.TensorShapeProto.Dimension> dims) {
        List<String> d = new ArrayList<>();
        for (OnnxMl.TensorShapeProto.Dimension x : dims) {
            d.add(x.hasDimValue() ? String.valueOf(x.getDimValue()) : x.hasDimParam() && !x.getDimParam().isEmpty() ? x.getDimParam() : "?");
        }
        return "[" + String.join(",", d) + "]";
    }

    private static String nameOr(String a, String b) {
        return a == null ? b : a;
    }

    /**
     * The nodes in an order where each comes after the producers of its inputs (ONNX asks for it, but
     * a cnnc import does not rely on it). A value that nothing defines, and a cycle, are problems.
     */
    private List<OnnxMl.NodeProto> sort(OnnxMl.GraphProto g) {
        Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                if (!o.isEmpty() && producer.put(o, n) != null) {
                    problems.add("value '" + o + "' is written by two nodes");
                }
            }
        }
        Set<String> available = new HashSet<>(values.keySet());
        Map<OnnxMl.NodeProto, Integer> waiting = new LinkedHashMap<>();
        Map<String, List<OnnxMl.NodeProto>> waiters = new HashMap<>();
        Map<OnnxMl.NodeProto, Integer> index = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            index.put(g.getNode(i), i);
        }
        // the file's order wherever it is a valid one (ONNX asks for it), so the .cnn lines follow the file
        PriorityQueue<OnnxMl.NodeProto> ready = new PriorityQueue<>(java.util.Comparator.comparing(index::get));
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            int missing = 0;
            for (String i : new LinkedHashSet<>(n.getInputList())) {
                if (i.isEmpty() || available.contains(i)) {
                    continue;
                }
                if (!producer.containsKey(i)) {
                    problems.add("node " + n.getOpType() + " '" + nodeName(n) + "' reads '" + i
                            + "', which no node, input or initializer of the graph defines");
                    continue;
                }
                missing++;
                waiters.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
            waiting.put(n, missing);
            if (missing == 0) {
                ready.add(n);
            }
        }
        List<OnnxMl.NodeProto> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            OnnxMl.NodeProto n = ready.poll();
            order.add(n);
            for (String o : n.getOutputList()) {
                for (OnnxMl.NodeProto w : waiters.getOrDefault(o, List.of())) {
                    if (waiting.merge(w, -1, Integer::sum) == 0) {
                        ready.add(w);
                    }
                }
            }
        }
        if (order.size() < g.getNodeCount()) {
            List<String> stuck = new ArrayList<>();
            for (OnnxMl.NodeProto n : g.getNodeList()) {
                if (!order.contains(n) && waiting.get(n) > 0) {
                    stuck.add(n.getOpType() + " '" + nodeName(n) + "'");
                }
            }
            problems.add("the graph has a cycle: " + String.join(", ", stuck) + " each wait for another's output");
        }
        return order;
    }

    static String nodeName(OnnxMl.NodeProto n) {
        return !n.getName().isEmpty() ? n.getName() : n.getOutputCount() > 0 ? n.getOutput(0) : "";
    }

    private void translate(OnnxMl.NodeProto p) {
        Node n = new Node(p, this);
        OnnxOps.Translator t = OnnxOps.TABLE.get(p.getOpType());
        if (!p.getDomain().isEmpty() && !p.getDomain().equals("ai.onnx")) {
            n.problem("operators of domain '" + p.getDomain() + "' are not supported");
        } else if (t == null) {
            n.problem("operator " + p.getOpType() + " is not supported by cnnc (docs/onnx.md lists what is)");
        } else if (p.getOutputCount() == 0 || p.getOutput(0).isEmpty()) {
            // every operator cnnc reads has a first output that is required (the ONNX operator specs)
            n.problem("has no output (ONNX requires " + p.getOpType() + "'s first output)");
        } else {
            boolean complete = false;
            try {
                t.translate(n);
                complete = true;
            } catch (Node.Stop stop) {
                // the problems, if any, are recorded
            }
            if (complete || !n.problems.isEmpty()) {
                n.reportUnread();
            }
        }
        for (String problem : n.problems) {
            problems.add("node " + n.label() + ": " + problem);
        }
        for (String o : p.getOutputList()) {
            if (!o.isEmpty() && (!n.problems.isEmpty() || !values.containsKey(o))) {
                values.put(o, new Value.Failed());
            }
        }
    }

    // ---- what translators use

    Value value(String name) {
        Value v = values.get(name);
        return v == null ? new Value.Failed() : v;
    }

    boolean isUsed(String name) {
        return graphOutputs.contains(name) || !consumers.getOrDefault(name, List.of()).isEmpty();
    }

    List<OnnxMl.NodeProto> consumers(String name) {
        return consumers.getOrDefault(name, List.of());
    }

    boolean isGraphOutput(String name) {
        return graphOutputs.contains(name);
    }

    /** Defines an output; a tensor is checked against the shape the file declares for it, if any. */
    void define(Node n, String name, Value v) {
        if (v instanceof Value.Tensor t && declared.containsKey(name)) {
            OnnxMl.ValueInfoProto info = declared.get(name);
            List<OnnxMl.TensorShapeProto.Dimension> dims = info.getType().getTensorType().getShape().getDimList();
            long[] mine = t.onnxDims();
            boolean differs = info.getType().getTensorType().hasShape() && dims.size() != mine.length;
            for (int i = 1; !differs && i < dims.size(); i++) {
                differs = dims.get(i).hasDimValue() && dims.get(i).getDimValue() != mine[i];
            }
            if (differs) {
                throw n.refuse("output '" + name + "' is declared " + dimsText(dims) + " but computes " + t.onnxShape());
            }
        }
        values.put(name, v);
    }

    /** A .cnn name for the tensor node {@code n} defines. */
    String claim(Node n) {
        // PyTorch names a layer's node /<module path>/<OpType>: the module path names a layer with weights;
        // a function's node (/layer1/Relu) keeps its op type, or it would take its module's name
        boolean layer = Set.of("Conv", "Gemm", "MatMul", "BatchNormalization").contains(n.op());
        String base = Names.legal(n.proto.getName(), layer ? n.op() : null);
        if (base == null && n.outputs() > 0) {
            base = Names.legal(n.proto.getOutput(0), null);
        }
        return names.claim(base == null ? n.op().toLowerCase() : base);
    }

    /** A hint cnnc export left for this node ({@code cnnc.<node>.<key>}), or null. */
    String hint(String node, String key) {
        return hints.get("cnnc." + node + "." + key);
    }

    /** Adds a .cnn statement with the comment naming the ONNX node(s) it comes from. */
    void emit(String statement, String comment) {
        lines.add(new String[] {statement, comment});
    }

    /** Adds a comment line (an elided node). */
    void note(String comment) {
        lines.add(new String[] {null, comment});
    }

    void weight(String name, int[] shape, float[] data) {
        weights.put(name, Tensor.f32(shape, data));
    }

    /** The graph's one output: a tensor; a softmax is appended to logits when importing a classifier. */
    private String output(OnnxMl.GraphProto g) {
        if (g.getOutputCount() != 1) {
            problems.add("the graph has " + g.getOutputCount() + " outputs"
                    + (g.getOutputCount() == 0 ? "" : " (" + String.join(", ", g.getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList()) + ")")
                    + "; a cnnc network has one");
            return null;
        }
        String name = g.getOutput(0).getName();
        Value v = value(name);
        if (v instanceof Value.Failed) {
            return null;
        }
        if (!(v instanceof Value.Tensor t)) {
            problems.add("the graph's output '" + name + "' is " + Node.describe(v) + ", not a tensor computed from the input");
            return null;
        }
        if (!settings.classifier()) {
            return t.name();
        }
        if (name.equals(softmaxOutput)) {
            return t.name();
        }
        if (t.flat() && !t.pixel()) {
            note("the output '" + name + "' " + t.onnxShape() + " is not a vector of class scores: no softmax appended, no loss");
            return null;
        }
        String y = names.claim(names.isTaken("y") ? "probs" : "y");
        appended = new Value.Tensor(y, t.c(), t.h(), t.w(), t.flat());
        emit(y + " = softmax(" + t.name() + ");", "appended: the graph ends in logits '" + name + "'; cnnc classifies with their softmax");
        return y;
    }

    private String text(String network, String input, String output) {
        OnnxMl.GraphProto g = model.getGraph();
        StringBuilder s = new StringBuilder();
        s.append("// Imported from ").append(Path.of(file).getFileName()).append(" by cnnc import: ");
        s.append(model.getProducerName().isEmpty() ? "producer unknown" : "produced by " + model.getProducerName() + " "
                + model.getProducerVersion()).append(", opset ").append(opset).append(", IR version ").append(model.getIrVersion());
        s.append(g.getName().isEmpty() ? "" : ", graph '" + g.getName() + "'").append(".\n");
        s.append("// Each line names the ONNX node it comes from; the weights are in cnnc's names and layouts.\n");
        s.append("network ").append(network).append(" {\n");
        String[] in = input == null ? new String[] {"input x : 1;", "not translated"} : input.split("\\|", 2);
        line(s, in[0], in[1]);
        String target = null;
        boolean classify = settings.classifier() && output != null;
        if (classify) {
            String hinted = hints.get("cnnc.target");
            target = names.claim(hinted != null && Names.legal(hinted, null) != null ? Names.legal(hinted, null) : "z");
            Value.Tensor y = lastTensor(output);
            line(s, "target " + target + " : " + (y.pixel() ? "" + y.c() : y.c() + "x" + y.h() + "x" + y.w()) + ";", "one-hot or soft labels, for eval and fine-tuning");
        }
        s.append('\n');
        for (String[] l : lines) {
            if (l[0] == null) {
                s.append("    // ").append(l[1]).append('\n');
            } else {
                line(s, l[0], l[1]);
            }
        }
        if (classify) {
            s.append("    loss cross_entropy(").append(output).append(", ").append(target).append(");\n\n");
            s.append("    // Settings for fine-tuning with cnnc train (an ONNX file has none); edit to taste.\n");
            s.append("    train {\n        batch 32;\n        epochs 1;\n        optimizer sgd(lr: 0.01, momentum: 0.9);\n        seed 1;\n    }\n");
        }
        s.append("}\n");
        return s.toString();
    }

    private Value.Tensor lastTensor(String cnnName) {
        for (Value v : values.values()) {
            if (v instanceof Value.Tensor t && t.name().equals(cnnName)) {
                return t;
            }
        }
        return appended;
    }

    /** The softmax appended by {@link #output}, which no ONNX value names. */
    private Value.Tensor appended;

    private static void line(StringBuilder s, String statement, String comment) {
        String st = "    " + statement;
        s.append(st).append(" ".repeat(Math.max(1, 56 - st.length()))).append("// ").append(comment).append('\n');
    }
}
