package cnnc.front;

import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.ir.Buffer;
import cnnc.ir.Word;
import cnnc.ops.Arg;
import cnnc.ops.Call;
import cnnc.ops.Param;
import cnnc.ops.Signature;
import java.util.List;

/** A {@link Call} over bound, typed arguments, with the signature's defaults for what was not written. */
record BoundCall(String node, Pos pos, List<Buffer> tensors, List<Pos> tensorPlaces, Signature signature,
                 Binder.Bound bound, int batch, boolean training, Diagnostics diagnostics) implements Call {

    @Override
    public Pos tensorPos(int i) {
        return tensorPlaces.get(i);
    }

    @Override
    public boolean given(String param) {
        return bound.values().containsKey(param);
    }

    @Override
    public Pos pos(String param) {
        return bound.places().getOrDefault(param, pos);
    }

    private Arg value(String param) {
        Arg v = bound.values().get(param);
        if (v != null) {
            return v;
        }
        Param p = signature.param(param);
        return switch (p == null ? new Param.Default.Required() : p.dflt()) {
            case Param.Default.Value d -> d.value();
            case Param.Default.SameAs d -> value(d.param());
            case Param.Default.Required d -> throw new IllegalStateException(signature.op() + " has no value for " + param);
            case Param.Default.Optional d -> throw new IllegalStateException(signature.op() + ": " + param + " was not given");
        };
    }

    private <A extends Arg> A value(String param, Class<A> kind) {
        Arg v = value(param);
        if (!kind.isInstance(v)) {
            throw new IllegalStateException(signature.op() + ": " + param + " is " + v + ", not a " + kind.getSimpleName());
        }
        return kind.cast(v);
    }

    @Override
    public int count(String param) {
        return value(param, Arg.Count.class).value();
    }

    @Override
    public double number(String param) {
        return value(param, Arg.Number.class).value();
    }

    @Override
    public boolean bool(String param) {
        return value(param, Arg.Bool.class).value();
    }

    @Override
    public int[] size2(String param) {
        return value(param, Arg.Size2.class).toArray();
    }

    @Override
    public int[] pair(String param) {
        return value(param, Arg.Pair.class).toArray();
    }

    @Override
    public <W extends Word> W choice(String param, Class<W> type) {
        return type.cast(value(param, Arg.Choice.class).value());
    }

    @Override
    public void error(Pos at, String message, String expected) {
        diagnostics.error(at, message, expected);
    }
}
