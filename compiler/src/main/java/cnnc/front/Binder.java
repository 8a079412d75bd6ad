package cnnc.front;

import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.diag.Suggest;
import cnnc.ops.Arg;
import cnnc.ops.Param;
import cnnc.ops.Signature;
import cnnc.syntax.Ast;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches a call's arguments to an operation's {@link Signature}: tensor names first, then scalars
 * by position or name; checks every value's kind and range. What it reports names the argument,
 * the value as written and what was expected there.
 */
final class Binder {

    /** The bound call: tensor names (with places) and typed scalar values (with places). */
    record Bound(List<Ast.Name> tensors, Map<String, Arg> values, Map<String, Pos> places) {}

    private final Diagnostics diagnostics;

    Binder(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** Binds, or reports every problem and returns null. {@code who} names the call in messages ({@code conv 'c1'}). */
    Bound bind(Signature sig, List<Ast.Argument> args, String who, Pos callPos) {
        int before = diagnostics.all().size();
        List<Ast.Name> tensors = new ArrayList<>();
        Map<String, Arg> values = new LinkedHashMap<>();
        Map<String, Pos> places = new LinkedHashMap<>();
        List<Param> positional = sig.params(); // any argument may be given by position, in signature order
        int nextPositional = 0;
        boolean seenNamed = false;
        for (Ast.Argument arg : args) {
            if (arg.name() != null) {
                seenNamed = true;
                named(sig, arg, who, values, places);
            } else if (seenNamed) {
                diagnostics.error(arg.pos(), "positional argument '" + arg.value().text() + "' after named arguments in " + who,
                        "name: value, as in " + sig.usage());
            } else if (tensors.size() < sig.maxTensors() && arg.value() instanceof Ast.NameValue n
                    && (tensors.size() < sig.minTensors() || nextPositional >= positional.size())) {
                tensors.add(new Ast.Name(n.name(), n.pos()));
            } else if (tensors.size() < sig.minTensors()) {
                diagnostics.error(arg.value().pos(), who + " takes a tensor name here, found '" + arg.value().text() + "'",
                        "the name of a tensor defined above, as in " + sig.usage());
            } else if (nextPositional < positional.size()) {
                Param p = positional.get(nextPositional++);
                store(p, arg.value(), who, values, places);
            } else {
                diagnostics.error(arg.value().pos(), "too many arguments to " + who + ": '" + arg.value().text() + "'",
                        sig.usage());
            }
        }
        if (tensors.size() < sig.minTensors() && diagnostics.all().size() == before) {
            String count = sig.minTensors() == sig.maxTensors() ? String.valueOf(sig.minTensors()) : "at least " + sig.minTensors();
            diagnostics.error(callPos, who + " needs " + count + " input tensor" + (sig.minTensors() == 1 ? "" : "s")
                    + ", found " + tensors.size(), sig.usage());
        }
        for (Param p : sig.params()) {
            if (p.required() && !values.containsKey(p.name()) && diagnostics.all().size() == before) {
                diagnostics.error(callPos, who + " needs its argument '" + p.name() + "'",
                        (p.positional() ? "" : p.name() + ": ") + p.expects() + ", as in " + sig.usage());
            }
        }
        return diagnostics.all().size() == before ? new Bound(tensors, values, places) : null;
    }

    private void named(Signature sig, Ast.Argument arg, String who, Map<String, Arg> values, Map<String, Pos> places) {
        String name = arg.name().text();
        Param p = sig.param(name);
        if (p == null) {
            List<String> names = sig.params().stream().map(Param::name).toList();
            diagnostics.error(arg.name().pos(), who + " has no argument '" + name + "'" + Suggest.didYouMean(name, names),
                    names.isEmpty() ? "no named arguments: " + sig.usage() : "one of " + String.join(", ", names));
        } else if (values.containsKey(name)) {
            diagnostics.error(arg.name().pos(), "argument '" + name + "' is given twice in " + who, "each argument once");
        } else {
            store(p, arg.value(), who, values, places);
        }
    }

    private void store(Param p, Ast.Value v, String who, Map<String, Arg> values, Map<String, Pos> places) {
        Arg typed = convert(p, v, who);
        if (typed != null) {
            values.put(p.name(), typed);
            places.put(p.name(), v.pos());
        }
    }

    private Arg convert(Param p, Ast.Value v, String who) {
        String what = who + ": '" + p.name() + "'";
        return switch (p.kind()) {
            case COUNT -> v instanceof Ast.IntValue i ? countArg(what, i.value(), v) : wrongKind(p, v, what);
            case NUMBER -> switch (v) {
                case Ast.IntValue i -> new Arg.Number(i.value());
                case Ast.FloatValue f when Double.isFinite(f.value()) -> new Arg.Number(f.value());
                case Ast.FloatValue f -> outOfRange(what, v, "a finite number");
                default -> wrongKind(p, v, what);
            };
            case BOOL -> v instanceof Ast.BoolValue b ? new Arg.Bool(b.value()) : wrongKind(p, v, what);
            case SIZE2 -> switch (v) {
                case Ast.IntValue i -> size2(what, List.of(i.value(), i.value()), v);
                case Ast.DimsValue d when d.dims().size() == 2 -> size2(what, d.dims(), v);
                default -> wrongKind(p, v, what);
            };
            case PAIR -> v instanceof Ast.PairValue pv ? pair(what, pv) : wrongKind(p, v, what);
            case CHOICE -> v instanceof Ast.NameValue n && p.words().contains(n.name())
                    ? new Arg.Choice(p.choices().get(p.words().indexOf(n.name()))) : wrongChoice(p, v, what);
        };
    }

    private Arg countArg(String what, long value, Ast.Value v) {
        Integer n = count(what, value, v);
        return n == null ? null : new Arg.Count(n);
    }

    private Arg wrongKind(Param p, Ast.Value v, String what) {
        diagnostics.error(v.pos(), what + " takes " + p.expects() + ", found '" + v.text() + "'", p.expects());
        return null;
    }

    private Arg wrongChoice(Param p, Ast.Value v, String what) {
        String hint = v instanceof Ast.NameValue n ? Suggest.didYouMean(n.name(), p.words()) : "";
        diagnostics.error(v.pos(), what + " takes " + p.expects() + ", found '" + v.text() + "'" + hint, p.expects());
        return null;
    }

    private Arg outOfRange(String what, Ast.Value v, String expected) {
        diagnostics.error(v.pos(), what + " is out of range: " + v.text(), expected);
        return null;
    }

    private Integer count(String what, long value, Ast.Value v) {
        if (value < 1) {
            diagnostics.error(v.pos(), what + " must be at least 1, found " + v.text(),
                    v instanceof Ast.DimsValue ? "sizes of at least 1, like 3x3" : "a positive integer");
            return null;
        }
        if (value > Integer.MAX_VALUE) {
            diagnostics.error(v.pos(), what + " is out of range: " + v.text(), "an integer of at most " + Integer.MAX_VALUE);
            return null;
        }
        return (int) value;
    }

    private Arg size2(String what, List<Long> dims, Ast.Value v) {
        for (long d : dims) {
            if (count(what, d, v) == null) {
                return null;
            }
        }
        return new Arg.Size2((int) (long) dims.get(0), (int) (long) dims.get(1));
    }

    private Arg pair(String what, Ast.PairValue v) {
        if (Math.abs(v.first()) > 1 << 20 || Math.abs(v.second()) > 1 << 20) {
            diagnostics.error(v.pos(), what + " is out of range: " + v.text(), "a pair of integers within ±" + (1 << 20));
            return null;
        }
        return new Arg.Pair((int) v.first(), (int) v.second());
    }
}
