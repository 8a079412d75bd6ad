package cnnc.front;

import cnnc.diag.Diagnostics;
import cnnc.diag.Pos;
import cnnc.ir.Buffer;
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

    private Object value(String param) {
        Object v = bound.values().get(param);
        if (v != null) {
            return v;
        }
        Param p = signature.param(param);
        if (p == null || p.defaultValue() == null) {
            throw new IllegalStateException(signature.op() + " has no value for " + param);
        }
        return p.defaultValue();
    }

    @Override
    public int count(String param) {
        return (Integer) value(param);
    }

    @Override
    public double number(String param) {
        return ((Number) value(param)).doubleValue();
    }

    @Override
    public boolean bool(String param) {
        return (Boolean) value(param);
    }

    @Override
    public int[] size2(String param) {
        return ((int[]) value(param)).clone();
    }

    @Override
    public int[] pair(String param) {
        return ((int[]) value(param)).clone();
    }

    @Override
    public String choice(String param) {
        return (String) value(param);
    }

    @Override
    public void error(Pos at, String message, String expected) {
        diagnostics.error(at, message, expected);
    }
}
