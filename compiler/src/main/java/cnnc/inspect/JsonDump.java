package cnnc.inspect;

import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Lowering;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import cnnc.ops.Add;
import cnnc.ops.AddBf;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.BatchNorm;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import cnnc.ops.Concat;
import cnnc.ops.ConcatBf;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.BiasGrad;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Dropout;
import cnnc.ops.DropoutBf;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Op;
import cnnc.ops.Pool;
import cnnc.ops.Softmax;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON dump, schema {@code cnnc.graph} version {@value #VERSION}, documented field by field in
 * {@code docs/dump-json.md} (a test holds the two together). Bump the version when a field changes
 * meaning or disappears; adding a field or an operation keeps it.
 *
 * <p>Operation attributes are written here, one case per operation, rather than reflected from the
 * op records: the schema is a promise to other programs and must not move when a record field is
 * renamed. A new operation breaks the build here until its attributes are decided (and documented).
 */
public final class JsonDump {

    public static final String SCHEMA = "cnnc.graph";
    public static final int VERSION = 1;

    private JsonDump() {}

    public static String render(Model model, boolean backward) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        root.put("version", VERSION);
        root.put("network", model.name());
        root.put("source", model.source().name());
        root.put("batch", model.batch());
        List<Buffer> buffers = new ArrayList<>(model.forward().buffers().values());
        if (backward) {
            model.backwardGraph().steps().forEach(s -> buffers.addAll(s.outputs()));
        }
        root.put("buffers", buffers.stream().map(JsonDump::buffer).toList());
        root.put("forward", steps(model.forward()));
        if (backward) {
            root.put("backward", steps(model.backwardGraph()));
        }
        return Json.write(root);
    }

    private static Map<String, Object> buffer(Buffer b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", b.name());
        m.put("role", b.role());
        m.put("shape", b.shape().dims());
        m.put("dtype", b.dtype());
        m.put("bytes", b.bytes());
        return m;
    }

    private static List<Object> steps(Graph g) {
        List<Object> out = new ArrayList<>();
        for (Step s : g.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("op", s.op().mnemonic());
            m.put("node", s.node());
            m.put("inputs", s.inputs().stream().map(Buffer::name).toList());
            m.put("outputs", s.outputs().stream().map(Buffer::name).toList());
            m.put("attributes", attributes(s.op()));
            m.put("detail", s.op().detail(s));
            m.put("run", s.lowering().run());
            m.put("fused_with", switch (s.lowering().fusion()) {
                case Lowering.Fusion.None n -> "";
                case Lowering.Fusion.Epilogue e -> e.out().name();
                case Lowering.Fusion.Sums u -> u.names();
                case Lowering.Fusion.Absorbed a -> a.by().name();
            });
            m.put("formula", s.op().formula());
            m.put("line", s.pos().line());
            out.add(m);
        }
        return out;
    }

    /**
     * An operation's settings. A backward operation carries the attributes of the forward operation
     * it was derived from, plus what only it has (the backward anchor, the channel offsets...).
     */
    static Map<String, Object> attributes(Op op) {
        Map<String, Object> a = new LinkedHashMap<>();
        switch (op) {
            case Conv c -> conv(a, c);
            case BatchNorm bn -> bn(a, bn);
            case Activation f -> activation(a, f);
            case Pool p -> pool(a, p);
            case Full f -> full(a, f);
            case Softmax s -> { }
            case Add x -> { }
            case Concat x -> { }
            case CrossEntropy x -> { }
            case ConvBf c -> {
                conv(a, c.conv());
                a.put("backward_anchor", ints(c.backwardAnchor()));
            }
            case ConvGrad c -> conv(a, c.conv());
            case BnBf b -> bn(a, b.bn());
            case BnGrad b -> bn(a, b.bn());
            case ActivationBf f -> activation(a, f.activation());
            case MaxPoolBf p -> pool(a, p.pool());
            case AvgPoolBf p -> pool(a, p.pool());
            case FullBf f -> full(a, f.full());
            case FullGrad f -> full(a, f.full());
            case SoftmaxCeBf s -> a.put("batch", s.batch());
            case SoftmaxBf s -> { }
            case AddBf x -> { }
            case ConcatBf c -> a.put("offsets", c.offsets());
            case Accumulate acc -> a.put("count", acc.count());
            case Deconv d -> deconv(a, d);
            case DeconvBf d -> deconv(a, d.deconv());
            case DeconvGrad d -> deconv(a, d.deconv());
            case BiasGrad b -> { }
            case Dropout d -> a.put("p", d.p());
            case DropoutBf d -> a.put("p", d.dropout().p());
        }
        return a;
    }

    private static void conv(Map<String, Object> a, Conv c) {
        a.put("out_channels", c.k());
        a.put("kernel", List.of(c.m(), c.n()));
        a.put("stride", List.of(c.sh(), c.sw()));
        a.put("padding", c.padding() instanceof Conv.Padding.Mode mode ? mode.word() : "anchor");
        a.put("anchor", ints(c.anchor()));
        a.put("pads", List.of(c.pt(), c.pb(), c.pl(), c.pr()));
        a.put("bias", c.bias());
        a.put("init", c.init().word());
    }

    private static void deconv(Map<String, Object> a, Deconv d) {
        a.put("out_channels", d.k());
        a.put("kernel", List.of(d.m(), d.n()));
        a.put("stride", List.of(d.sh(), d.sw()));
        a.put("crop", List.of(d.ph(), d.pw()));
        a.put("output_padding", List.of(d.ah(), d.aw()));
        a.put("bias", d.bias());
        a.put("init", d.init().word());
    }

    private static void activation(Map<String, Object> a, Activation f) {
        if (f.fn().param != null) {
            a.put(f.fn().param, f.a());
        }
    }

    private static void bn(Map<String, Object> a, BatchNorm bn) {
        a.put("per", bn.per().word());
        a.put("eps", bn.eps());
        a.put("momentum", bn.momentum());
    }

    private static void pool(Map<String, Object> a, Pool p) {
        a.put("window", List.of(p.p(), p.q()));
        a.put("stride", List.of(p.sh(), p.sw()));
        a.put("ceil", p.ceil());
        a.put("overlapping", p.overlapping());
    }

    private static void full(Map<String, Object> a, Full f) {
        a.put("out_channels", f.k());
        a.put("bias", f.bias());
        a.put("init", f.init().word());
    }

    private static List<Integer> ints(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
