package cnnc.front;

import cnnc.ops.Activation;
import cnnc.ops.Add;
import cnnc.ops.BatchNorm;
import cnnc.ops.Call;
import cnnc.ops.Concat;
import cnnc.ops.Conv;
import cnnc.ops.Deconv;
import cnnc.ops.Dropout;
import cnnc.ops.ForwardOp;
import cnnc.ops.Full;
import cnnc.ops.Pool;
import cnnc.ops.Signature;
import cnnc.ops.Softmax;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The operations a .cnn file may call, by name: each one's signature and its {@code define}
 * (argument and shape checks). Adding an operation means a record in {@code cnnc.ops} and a line here.
 */
final class Operations {

    record Entry(Signature signature, Function<Call, ForwardOp> define) {}

    /** By name, in the order above; unmodifiable. */
    static final Map<String, Entry> NODES = nodes();

    private static Map<String, Entry> nodes() {
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(Conv.SIGNATURE, Conv::define));
        entries.add(new Entry(BatchNorm.SIGNATURE, BatchNorm::define));
        for (Activation.Fn fn : Activation.Fn.values()) {
            entries.add(new Entry(Activation.signature(fn), c -> Activation.define(c, fn)));
        }
        entries.add(new Entry(Pool.signature(true), c -> Pool.define(c, true)));
        entries.add(new Entry(Pool.signature(false), c -> Pool.define(c, false)));
        entries.add(new Entry(Full.SIGNATURE, Full::define));
        entries.add(new Entry(Softmax.SIGNATURE, c -> new Softmax()));
        entries.add(new Entry(Add.SIGNATURE, Add::define));
        entries.add(new Entry(Concat.SIGNATURE, Concat::define));
        entries.add(new Entry(Deconv.SIGNATURE, Deconv::define));
        entries.add(new Entry(Dropout.SIGNATURE, Dropout::define));
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (byName.put(e.signature().op(), e) != null) {
                throw new IllegalStateException("two operations named " + e.signature().op());
            }
        }
        return Collections.unmodifiableMap(byName);
    }

    private Operations() {}
}
