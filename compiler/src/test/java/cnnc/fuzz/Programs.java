package cnnc.fuzz;

import cnnc.diag.Pos;
import cnnc.ops.Pool;
import cnnc.syntax.Ast;
import cnnc.syntax.Ast.Argument;
import cnnc.syntax.Ast.NodeDecl;
import cnnc.syntax.Ast.Statement;
import cnnc.syntax.Ast.Value;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * .cnn programs built as syntax trees from a fuzzer's choices, then printed: valid ones (it keeps
 * its own account of every tensor's shape so each call fits), and nearly valid ones, a valid tree
 * with one mistake a user makes (a misspelt argument, a name used before it is defined, a value
 * out of range or of the wrong kind, a missing loss, a name defined twice, an unknown operation).
 * Every operation a file may call appears: conv, deconv, bn, the element-wise functions
 * (leaky_relu and elu with their parameter), dropout, pooling, full, add, concat, softmax.
 * Sizes stay small (at most 4 channels, 10x10 maps, batch 3) so one step runs in milliseconds.
 */
final class Programs {

    private Programs() {}

    /** A tensor the generator has defined: its name and its C x H x W. */
    private record T(String name, int c, int h, int w) {}

    /** A built program: its tree, its batch, and whether a mistake was put in. */
    record Program(Ast.Network network, int batch, String mistake) {
        String text() {
            return print(network);
        }
    }

    private static final Pos AT = Pos.NONE;

    static Program build(FuzzedDataProvider d) {
        List<Statement> s = new ArrayList<>();
        List<T> defined = new ArrayList<>();
        T x = new T("x", d.consumeInt(1, 3), d.consumeInt(3, 10), d.consumeInt(3, 10));
        s.add(new Ast.InputDecl(name("x"), List.of((long) x.c, (long) x.h, (long) x.w), AT, AT));
        defined.add(x);
        int batch = d.consumeInt(1, 3);
        int nodes = d.consumeInt(0, 8);
        for (int i = 1; i <= nodes; i++) {
            node(d, "n" + i, batch, defined, s);
        }
        T last = defined.get(defined.size() - 1);
        T logits;
        if (d.consumeBoolean()) {  // per-pixel classes: a spatial softmax and target
            int k = d.consumeInt(2, 4);
            s.add(call("h", "conv", List.of(pos(ref(last.name)), pos(integer(k)), named("kernel", dims(1, 1)))));
            logits = new T("h", k, last.h, last.w);
        } else {
            int k = d.consumeInt(2, 6);
            s.add(call("h", "full", List.of(pos(ref(last.name)), pos(integer(k)))));
            logits = new T("h", k, 1, 1);
        }
        s.add(call("y", "softmax", List.of(pos(ref("h")))));
        List<Long> z = logits.h * logits.w > 1 ? List.of((long) logits.c, (long) logits.h, (long) logits.w) : List.of((long) logits.c);
        s.add(1, new Ast.TargetDecl(name("z"), z, AT, AT));
        s.add(new Ast.LossDecl(name("cross_entropy"), List.of(pos(ref("y")), pos(ref("z"))), AT));
        s.add(new Ast.TrainBlock(List.of(new Ast.Setting(name("batch"), integer(batch), null, List.of(), AT),
                new Ast.Setting(name("optimizer"), null, name("sgd"), List.of(named("lr", new Ast.FloatValue(0.05, "0.05", AT))), AT)), AT));
        String mistake = d.consumeBoolean() ? mistake(d, s) : null;
        return new Program(new Ast.Network(name("fuzzed"), s, AT), batch, mistake);
    }

    /** One more node reading tensors already defined, when its shape leaves something to compute on. */
    private static void node(FuzzedDataProvider d, String n, int batch, List<T> defined, List<Statement> s) {
        T a = defined.get(d.consumeInt(0, defined.size() - 1));
        switch (d.consumeInt(0, 11)) {
            case 0 -> conv(d, n, a, defined, s);
            case 9 -> {
                boolean leaky = d.consumeBoolean();
                double v = d.pickValue(leaky ? new Double[] {0.0, 0.01, 0.2, 1.0} : new Double[] {0.1, 1.0, 2.5});
                s.add(call(n, leaky ? "leaky_relu" : "elu", List.of(pos(ref(a.name)), named(leaky ? "slope" : "alpha", number(v)))));
                defined.add(new T(n, a.c, a.h, a.w));
            }
            case 10 -> {
                double p = d.pickValue(new Double[] {0.0, 0.25, 0.5, 0.9});
                s.add(call(n, "dropout", p == 0.5 && d.consumeBoolean() ? List.of(pos(ref(a.name))) : List.of(pos(ref(a.name)),
                        named("p", number(p)))));
                defined.add(new T(n, a.c, a.h, a.w));
            }
            case 11 -> deconv(d, n, a, defined, s);
            case 1 -> {
                // a statistic needs two values: per element T of them, per channel T·H·W
                if (batch * a.h * a.w < 2) {
                    return;
                }
                boolean channel = batch == 1 || d.consumeBoolean();
                s.add(call(n, "bn", channel ? List.of(pos(ref(a.name)), named("per", ref("channel"))) : List.of(pos(ref(a.name)))));
                defined.add(new T(n, a.c, a.h, a.w));
            }
            case 2, 3 -> {
                s.add(call(n, d.pickValue(new String[] {"relu", "sigmoid", "tanh"}), List.of(pos(ref(a.name)))));
                defined.add(new T(n, a.c, a.h, a.w));
            }
            case 4 -> {
                int p = d.consumeInt(1, Math.min(3, a.h));
                int q = d.consumeInt(1, Math.min(3, a.w));
                int sh = d.consumeInt(1, 3);
                int sw = d.consumeInt(1, 3);
                boolean ceil = d.consumeBoolean();
                s.add(call(n, d.consumeBoolean() ? "maxpool" : "avgpool", List.of(pos(ref(a.name)), named("window", dims(p, q)),
                        named("stride", dims(sh, sw)), named("ceil", new Ast.BoolValue(ceil, AT)))));
                defined.add(new T(n, a.c, Pool.outSize(a.h, p, sh, ceil), Pool.outSize(a.w, q, sw, ceil)));
            }
            case 5 -> {
                int k = d.consumeInt(1, 6);
                s.add(call(n, "full", List.of(pos(ref(a.name)), pos(integer(k)))));
                defined.add(new T(n, k, 1, 1));
            }
            case 6 -> {
                List<T> same = defined.stream().filter(t -> t.c == a.c && t.h == a.h && t.w == a.w).toList();
                T b = same.get(d.consumeInt(0, same.size() - 1));
                s.add(call(n, "add", List.of(pos(ref(a.name)), pos(ref(b.name)))));
                defined.add(new T(n, a.c, a.h, a.w));
            }
            case 7 -> {
                List<T> fits = defined.stream().filter(t -> t.h == a.h && t.w == a.w).toList();
                T b = fits.get(d.consumeInt(0, fits.size() - 1));
                if (a.c + b.c <= 6) {
                    s.add(call(n, "concat", List.of(pos(ref(a.name)), pos(ref(b.name)))));
                    defined.add(new T(n, a.c + b.c, a.h, a.w));
                }
            }
            default -> {
                s.add(call(n, "softmax", List.of(pos(ref(a.name)))));
                defined.add(new T(n, a.c, a.h, a.w));
            }
        }
    }

    private static void conv(FuzzedDataProvider d, String n, T a, List<T> defined, List<Statement> s) {
        int k = d.consumeInt(1, 4);
        int m = d.consumeInt(1, 3);
        int nn = d.consumeInt(1, 3);
        int sh = d.consumeInt(1, 2);
        int sw = d.consumeInt(1, 2);
        List<Argument> args = new ArrayList<>(List.of(pos(ref(a.name)), pos(integer(k)), named("kernel", dims(m, nn))));
        // total padding along each axis: an anchor (same is one) pads M-1 in all, valid 0, full 2(M-1)
        int padH = m - 1;
        int padW = nn - 1;
        switch (d.consumeInt(0, 3)) {
            case 0 -> { }
            case 1 -> { padH = 0; padW = 0; args.add(named("padding", ref("valid"))); }
            case 2 -> { padH = 2 * (m - 1); padW = 2 * (nn - 1); args.add(named("padding", ref("full"))); }
            default -> {
                // an anchor may lie one outside the window when the map has 3 rows (columns) or more;
                // on a smaller one every window could then miss the input, which the checker rejects
                int pt = a.h >= 3 ? d.consumeInt(-1, m) : d.consumeInt(0, m - 1);
                int pl = a.w >= 3 ? d.consumeInt(-1, nn) : d.consumeInt(0, nn - 1);
                args.add(named("anchor", new Ast.PairValue(pt, pl, "(" + pt + ", " + pl + ")", AT)));
            }
        }
        if (sh > 1 || sw > 1) {
            args.add(named("stride", dims(sh, sw)));
        }
        if (d.consumeBoolean()) {
            args.add(named("init", ref("xavier")));
        }
        int h = a.h + padH < m ? 0 : (a.h + padH - m) / sh + 1;
        int w = a.w + padW < nn ? 0 : (a.w + padW - nn) / sw + 1;
        if (h >= 1 && w >= 1) {
            s.add(call(n, "conv", args));
            defined.add(new T(n, k, h, w));
        }
    }

    /**
     * A transposed convolution whose output, {@code s·(i-1) + k - 2p + a}, stays between 1 and 12 a
     * side: stride 1 or 2, padding up to the kernel, output_padding below the stride.
     */
    private static void deconv(FuzzedDataProvider d, String n, T a, List<T> defined, List<Statement> s) {
        int k = d.consumeInt(1, 4);
        int m = d.consumeInt(1, 4);
        int nn = d.consumeInt(1, 4);
        int sh = d.consumeInt(1, 2);
        int sw = d.consumeInt(1, 2);
        int ph = d.consumeInt(0, m - 1);
        int pw = d.consumeInt(0, nn - 1);
        int ah = d.consumeInt(0, sh - 1);
        int aw = d.consumeInt(0, sw - 1);
        int h = sh * (a.h - 1) + m - 2 * ph + ah;
        int w = sw * (a.w - 1) + nn - 2 * pw + aw;
        if (h < 1 || w < 1 || h > 12 || w > 12) {
            return;
        }
        List<Argument> args = new ArrayList<>(List.of(pos(ref(a.name)), pos(integer(k)), named("kernel", dims(m, nn))));
        if (sh > 1 || sw > 1) {
            args.add(named("stride", dims(sh, sw)));
        }
        if (ph > 0 || pw > 0 || d.consumeBoolean()) {
            args.add(named("padding", new Ast.PairValue(ph, pw, "(" + ph + ", " + pw + ")", AT)));
        }
        if (ah > 0 || aw > 0) {
            args.add(named("output_padding", new Ast.PairValue(ah, aw, "(" + ah + ", " + aw + ")", AT)));
        }
        if (d.consumeBoolean()) {
            args.add(named("bias", new Ast.BoolValue(false, AT)));
        }
        s.add(call(n, "deconv", args));
        defined.add(new T(n, k, h, w));
    }

    /** Puts one mistake into a valid program; says which. */
    private static String mistake(FuzzedDataProvider d, List<Statement> s) {
        List<Integer> nodes = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i) instanceof NodeDecl) {
                nodes.add(i);
            }
        }
        int at = nodes.get(d.consumeInt(0, nodes.size() - 1));
        NodeDecl node = (NodeDecl) s.get(at);
        List<Argument> args = new ArrayList<>(node.arguments());
        int which = d.consumeInt(0, 7);
        switch (which) {
            case 0 -> args.add(named(d.pickValue(new String[] {"kernal", "strides", "pading", "window", "per", "lr"}), integer(2)));
            case 1 -> args.set(0, pos(ref(d.pickValue(new String[] {"q", "h", "y", "z", node.name().text()}))));
            case 2 -> args.add(named(d.pickValue(new String[] {"kernel", "stride", "window", "K", "eps", "momentum", "p", "slope",
                    "output_padding"}),
                    d.pickValue(new Value[] {integer(0), integer(-3), new Ast.IntValue(99999999999L, "99999999999", AT),
                            dims(0, 3), dims(100000, 100000), new Ast.FloatValue(-1, "-1.0", AT), new Ast.FloatValue(1e308, "1e308", AT)})));
            case 3 -> {
                s.removeIf(st -> st instanceof Ast.LossDecl);
                return "no loss";
            }
            case 4 -> {
                s.add(at, s.get(at));
                return "defined twice";
            }
            case 5 -> args.add(named(d.pickValue(new String[] {"padding", "kernel", "ceil", "bias", "anchor", "per"}),
                    d.pickValue(new Value[] {integer(3), new Ast.BoolValue(true, AT), ref("nowhere"), new Ast.PairValue(1, 2, "(1, 2)", AT)})));
            case 6 -> {
                s.set(at, new NodeDecl(node.name(), name(d.pickValue(new String[] {"pool", "dense", "Conv", "loss"})), args, AT));
                return "unknown operation";
            }
            default -> args.remove(args.size() - 1);
        }
        s.set(at, new NodeDecl(node.name(), node.op(), args, AT));
        return "argument mistake " + which;
    }

    /** The program as a user would write it. */
    static String print(Ast.Network n) {
        StringBuilder out = new StringBuilder("network " + n.name().text() + " {\n");
        for (Statement st : n.statements()) {
            out.append("    ").append(switch (st) {
                case Ast.InputDecl i -> "input " + i.name().text() + " : " + dimsText(i.dims()) + ";";
                case Ast.TargetDecl t -> "target " + t.name().text() + " : " + dimsText(t.dims()) + ";";
                case NodeDecl nd -> nd.name().text() + " = " + nd.op().text() + "(" + args(nd.arguments()) + ");";
                case Ast.LossDecl l -> "loss " + l.op().text() + "(" + args(l.arguments()) + ");";
                case Ast.TrainBlock b -> "train { " + b.settings().stream().map(Programs::setting).collect(Collectors.joining(" ")) + " }";
            }).append('\n');
        }
        return out.append("}\n").toString();
    }

    private static String setting(Ast.Setting s) {
        return s.value() != null ? s.name().text() + " " + s.value().text() + ";"
                : s.name().text() + " " + s.optimizer().text() + "(" + args(s.arguments()) + ");";
    }

    private static String args(List<Argument> a) {
        return a.stream().map(r -> (r.name() != null ? r.name().text() + ": " : "") + r.value().text()).collect(Collectors.joining(", "));
    }

    private static String dimsText(List<Long> dims) {
        return dims.stream().map(String::valueOf).collect(Collectors.joining("x"));
    }

    private static Ast.Name name(String text) {
        return new Ast.Name(text, AT);
    }

    private static Value ref(String text) {
        return new Ast.NameValue(text, AT);
    }

    private static Value integer(long v) {
        return new Ast.IntValue(v, Long.toString(v), AT);
    }

    private static Value number(double v) {
        return new Ast.FloatValue(v, Double.toString(v), AT);
    }

    private static Value dims(long a, long b) {
        return new Ast.DimsValue(List.of(a, b), a + "x" + b, AT);
    }

    private static Argument pos(Value v) {
        return new Argument(null, v);
    }

    private static Argument named(String n, Value v) {
        return new Argument(name(n), v);
    }

    private static NodeDecl call(String n, String op, List<Argument> args) {
        return new NodeDecl(name(n), name(op), args, AT);
    }
}
