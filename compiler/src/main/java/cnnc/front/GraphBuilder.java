package cnnc.front;

import cnnc.diag.CompileError;
import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.diag.SourceFile;
import cnnc.diag.Suggest;
import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ir.Train;
import cnnc.ops.CrossEntropy;
import cnnc.ops.ForwardOp;
import cnnc.ops.Signature;
import cnnc.syntax.Ast;
import cnnc.syntax.Parser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a network's syntax tree into a checked forward {@link Model}: resolves names, binds
 * arguments, runs every operation's checks and shape rule. Reports all errors of the file it can
 * find in one pass (a node whose inputs failed is skipped quietly, so one mistake is one message).
 */
public final class GraphBuilder {

    /** Names the weight files and grad files give other meanings (docs/files.md). */
    private static final Set<String> RESERVED = Set.of("grad", "path", "loss");

    private final Diagnostics diagnostics = new Diagnostics();
    private final Binder binder = new Binder(diagnostics);
    private final Options options;
    private final Map<String, Buffer> tensors = new LinkedHashMap<>();
    private final Map<String, Pos> definedAt = new HashMap<>();
    private final Map<String, String> producerOp = new HashMap<>();
    private final Set<String> failed = new HashSet<>();
    private final Map<String, Pos> laterDefinitions = new HashMap<>();
    private final List<Buffer> sources = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private int batch;

    private GraphBuilder(Options options) {
        this.options = options;
    }

    /**
     * Parses and checks a file and returns the chosen network's model; throws {@link CompileError}
     * with every diagnostic of every network of the file.
     */
    public static Model build(SourceFile source, Options options) {
        List<Ast.Network> networks = Parser.parse(source);
        Ast.Network chosen = networks.get(0);
        if (options.network() != null) {
            chosen = networks.stream().filter(n -> n.name().text().equals(options.network())).findFirst()
                    .orElseThrow(() -> CompileError.at(networks.get(0).name().pos(), "no network named '" + options.network()
                            + "' in " + source.name(), "one of " + networks.stream().map(n -> n.name().text()).toList()));
        }
        Diagnostics all = new Diagnostics();
        Map<String, Pos> names = new HashMap<>();
        Model model = null;
        for (Ast.Network net : networks) {
            Pos first = names.putIfAbsent(net.name().text(), net.name().pos());
            if (first != null) {
                all.error(net.name().pos(), "network '" + net.name().text() + "' is already defined at line " + first.line(),
                        "another name for this network");
            }
            try {
                Model m = new GraphBuilder(options).network(net);
                model = net == chosen ? m : model;
            } catch (CompileError e) {
                e.diagnostics().forEach(d -> all.error(d.pos(), d.message(), d.expected()));
            }
        }
        all.throwIfAny();
        return model;
    }

    private Model network(Ast.Network net) {
        Train train = readTrain(net);
        batch = options.batch() > 0 ? options.batch() : train.batch() > 0 ? train.batch() : 1;
        for (Ast.Statement s : net.statements()) {
            switch (s) {
                case Ast.NodeDecl d -> laterDefinitions.putIfAbsent(d.name().text(), d.name().pos());
                case Ast.InputDecl d -> laterDefinitions.putIfAbsent(d.name().text(), d.name().pos());
                case Ast.TargetDecl d -> laterDefinitions.putIfAbsent(d.name().text(), d.name().pos());
                default -> { }
            }
        }
        Step loss = null;
        for (Ast.Statement s : net.statements()) {
            switch (s) {
                case Ast.InputDecl d -> declare(d.name(), d.dims(), d.dimsPos(), Role.INPUT);
                case Ast.TargetDecl d -> declare(d.name(), d.dims(), d.dimsPos(), Role.TARGET);
                case Ast.NodeDecl d -> node(d);
                case Ast.LossDecl d -> {
                    if (loss != null) {
                        diagnostics.error(d.pos(), "a network has one loss; another was declared at line " + loss.pos().line(),
                                "a single 'loss cross_entropy(y, z);'");
                    } else {
                        loss = loss(d);
                    }
                }
                case Ast.TrainBlock t -> { }
            }
        }
        return finish(net, train, loss);
    }

    private Train readTrain(Ast.Network net) {
        Train train = Train.defaults();
        boolean seen = false;
        for (Ast.Statement s : net.statements()) {
            if (s instanceof Ast.TrainBlock t) {
                if (seen) {
                    diagnostics.error(t.pos(), "a network has one train block", "a single 'train { ... }'");
                } else {
                    train = new TrainReader(diagnostics).read(t);
                    seen = true;
                }
            }
        }
        return train;
    }

    private void declare(Ast.Name name, List<Long> dims, Pos dimsPos, Role role) {
        if (!newName(name)) {
            return;
        }
        String what = role == Role.INPUT ? "input" : "target";
        if (dims.size() != 1 && dims.size() != 3) {
            diagnostics.error(dimsPos, what + " '" + name.text() + "' has " + dims.size() + " dimensions ("
                    + dimsPos.text() + "), not 3 or 1",
                    "C x H x W of one sample (like 1x28x28), or C alone" + (dims.size() == 4 ? "; the batch size T is not part of it" : ""));
            failed.add(name.text());
            return;
        }
        for (long d : dims) {
            if (d < 1 || d > Integer.MAX_VALUE) {
                diagnostics.error(dimsPos, what + " '" + name.text() + "': dimension " + d + (d < 1 ? " must be at least 1" : " is out of range"),
                        "sizes between 1 and " + Integer.MAX_VALUE);
                failed.add(name.text());
                return;
            }
        }
        int c = (int) (long) dims.get(0);
        int h = dims.size() == 3 ? (int) (long) dims.get(1) : 1;
        int w = dims.size() == 3 ? (int) (long) dims.get(2) : 1;
        if (!fits(name, name.pos(), batch, c, h, w)) {
            return;
        }
        Buffer earlier = sources.stream().filter(b -> b.role() == role).findFirst().orElse(null);
        if (earlier != null) {
            diagnostics.error(name.pos(), "a network has one " + what + ", and '" + earlier.name() + "' was declared at line "
                    + definedAt.get(earlier.name()).line(), "a single '" + what + " NAME : " + (role == Role.INPUT ? "CxHxW" : "C") + ";'");
            failed.add(name.text());
            return;
        }
        Buffer b = Buffer.f32(name.text(), role, Shape.of(batch, c, h, w));
        tensors.put(name.text(), b);
        sources.add(b);
    }

    /** Whether a tensor of {@code T x C x H x W} can be indexed by an int; reports it if not. */
    private boolean fits(Ast.Name name, Pos pos, long t, long c, long h, long w) {
        double size = (double) t * c * h * w;
        if (size > Integer.MAX_VALUE) {
            diagnostics.error(pos, "tensor '" + name.text() + "' of " + t + "x" + c + "x" + h + "x" + w + " has "
                    + String.format("%.0f", size) + " elements, more than an int can index",
                    "at most " + Integer.MAX_VALUE + " elements (a smaller batch or layer)");
            failed.add(name.text());
            return false;
        }
        return true;
    }

    private boolean newName(Ast.Name name) {
        String n = name.text();
        if (tensors.containsKey(n) || failed.contains(n) || definedAt.containsKey(n)) {
            Pos first = definedAt.get(n);
            diagnostics.error(name.pos(), "'" + n + "' is already defined" + (first != null ? " at line " + first.line() : ""),
                    "a new name");
            return false;
        }
        definedAt.put(n, name.pos());
        if (RESERVED.contains(n)) {
            diagnostics.error(name.pos(), "'" + n + "' is reserved: weight and gradient files use it as a prefix",
                    "another name, like '" + n + "_'");
            failed.add(n);
            return false;
        }
        return true;
    }

    private void node(Ast.NodeDecl d) {
        if (!newName(d.name())) {
            return;
        }
        String node = d.name().text();
        Operations.Entry entry = Operations.NODES.get(d.op().text());
        if (entry == null) {
            unknownOp(d.op(), Operations.NODES.keySet(), "operation");
            failed.add(node);
            return;
        }
        String who = entry.signature().op() + " '" + node + "'";
        BoundCall call = call(entry.signature(), d.arguments(), who, node, d.pos());
        ForwardOp op = call == null ? null : entry.define().apply(call);
        if (op == null) {
            failed.add(node);
            return;
        }
        List<Shape> in = call.tensors().stream().map(Buffer::shape).toList();
        Shape out = op.outShape(in);
        if (!fits(d.name(), d.pos(), out.n(), out.c(), out.h(), out.w())) {
            return;
        }
        Buffer y = Buffer.f32(node, Role.ACTIVATION, out);
        List<Buffer> params = op.params(node, in);
        for (Buffer p : params) {
            if (p.shape().size() > Integer.MAX_VALUE) {
                diagnostics.error(d.pos(), who + ": its parameter '" + p.name() + "' of " + p.shape() + " has "
                        + p.shape().size() + " elements, more than an int can index",
                        "at most " + Integer.MAX_VALUE + " elements (fewer channels or a smaller kernel)");
                failed.add(node);
                return;
            }
        }
        sources.addAll(params);
        List<Buffer> inputs = new ArrayList<>(call.tensors());
        inputs.addAll(params);
        List<Buffer> outputs = new ArrayList<>(List.of(y));
        outputs.addAll(op.extras(node, out, in));
        steps.add(new Step(op, inputs, outputs, node, d.pos()));
        tensors.put(node, y);
        producerOp.put(node, op.mnemonic());
    }

    private void unknownOp(Ast.Name op, Set<String> known, String what) {
        diagnostics.error(op.pos(), "unknown " + what + " '" + op.text() + "'" + Suggest.didYouMean(op.text(), known),
                (known.size() == 1 ? "" : "one of ") + String.join(", ", known));
    }

    /** Binds arguments and resolves tensor names; null (reported, or quiet if an input failed) when it can't. */
    private BoundCall call(Signature sig, List<Ast.Argument> args, String who, String node, Pos pos) {
        Binder.Bound bound = binder.bind(sig, args, who, pos);
        if (bound == null) {
            return null;
        }
        List<Buffer> inputs = new ArrayList<>();
        List<Pos> places = new ArrayList<>();
        boolean ok = true;
        for (Ast.Name t : bound.tensors()) {
            Buffer b = tensors.get(t.text());
            if (b == null) {
                if (!failed.contains(t.text())) {
                    undefined(t, node);
                }
                ok = false;
                continue;
            }
            inputs.add(b);
            places.add(t.pos());
        }
        return ok ? new BoundCall(node, pos, inputs, places, sig, bound, batch, options.training(), diagnostics) : null;
    }

    private void undefined(Ast.Name t, String node) {
        Pos later = laterDefinitions.get(t.text());
        if (t.text().equals(node) && later != null && later.line() == t.pos().line()) {
            diagnostics.error(t.pos(), "'" + node + "' is used in its own definition", "a tensor defined above '" + node + "'");
        } else if (later != null) {
            diagnostics.error(t.pos(), "'" + t.text() + "' is used before its definition at line " + later.line(),
                    "a tensor defined above '" + node + "'");
        } else {
            diagnostics.error(t.pos(), "undefined tensor '" + t.text() + "'" + Suggest.didYouMean(t.text(), tensors.keySet()),
                    tensors.isEmpty() ? "an input declared with 'input NAME : CxHxW;'" : "one of " + String.join(", ", tensors.keySet()));
        }
    }

    private Step loss(Ast.LossDecl d) {
        if (!d.op().text().equals("cross_entropy")) {
            unknownOp(d.op(), Set.of("cross_entropy"), "loss");
            return null;
        }
        BoundCall call = call(CrossEntropy.SIGNATURE, d.arguments(), "loss cross_entropy", "loss", d.pos());
        if (call == null) {
            return null;
        }
        CrossEntropy op = CrossEntropy.define(call, producerOp.get(call.tensors().get(0).name()));
        if (op == null) {
            return null;
        }
        Buffer loss = Buffer.f32("loss", Role.LOSS, Shape.of(1));
        // the loss also reads the softmax's input: log y is computed from the logits, finite where y underflows to 0
        Buffer y = call.tensors().get(0);
        Buffer logits = steps.stream().filter(s -> s.output().equals(y)).findFirst().orElseThrow().input(0);
        List<Buffer> inputs = List.of(y, call.tensors().get(1), logits);
        Step step = new Step(op, inputs, List.of(loss), "loss", d.pos());
        steps.add(step);
        return step;
    }

    private Model finish(Ast.Network net, Train train, Step loss) {
        Optional<Buffer> input = sources.stream().filter(b -> b.role() == Role.INPUT).findFirst();
        if (net.statements().stream().noneMatch(s -> s instanceof Ast.InputDecl)) {
            diagnostics.error(net.name().pos(), "network '" + net.name().text() + "' declares no input",
                    "a declaration like 'input x : 1x28x28;' (C x H x W of one sample)");
        }
        Optional<String> targetName = net.statements().stream().filter(s -> s instanceof Ast.TargetDecl)
                .map(s -> ((Ast.TargetDecl) s).name().text()).findFirst();
        if (options.training() && net.statements().stream().noneMatch(s -> s instanceof Ast.LossDecl)) {
            diagnostics.error(net.name().pos(), "network '" + net.name().text() + "' has no loss, so it cannot be trained",
                    targetName.isPresent() ? "'loss cross_entropy(y, " + targetName.get() + ");' after 'y = softmax(...);'"
                            : "'target z : C;' and 'loss cross_entropy(y, z);' after 'y = softmax(...);'");
        }
        DataSettingsReader.checkInput(train, input.orElse(null), diagnostics);
        diagnostics.throwIfAny();
        Buffer output = loss != null ? loss.input(0) : steps.isEmpty() ? input.get() : steps.get(steps.size() - 1).output();
        Buffer target = loss != null ? loss.input(1) : sources.stream().filter(b -> b.role() == Role.TARGET).findFirst().orElse(null);
        return new Model(net.name().text(), net.pos().file(), net.name().pos(), batch, new Graph(sources, steps),
                Optional.empty(), input.get(), target, output, loss != null ? loss.output() : null, train, definedAt);
    }
}
