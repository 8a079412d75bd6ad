package cnnc.front;

import cnnc.ops.Activation;
import cnnc.ops.Add;
import cnnc.ops.BatchNorm;
import cnnc.ops.Call;
import cnnc.ops.Concat;
import cnnc.ops.Conv;
import cnnc.ops.ForwardOp;
import cnnc.ops.Full;
import cnnc.ops.Pool;
import cnnc.ops.Signature;
import cnnc.ops.Softmax;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The operations a .cnn file may call, by name: each one's signature and its {@code define}
 * (argument and shape checks). Adding an operation means a record in {@code cnnc.ops} and a line here.
 */
final class Operations {

    record Entry(Signature signature, Function<Call, ForwardOp> define) {}

    static final Map<String, Entry> NODES = new LinkedHashMap<>();

    static {
        add(Conv.SIGNATURE, Conv::define);
        add(BatchNorm.SIGNATURE, BatchNorm::define);
        for (Activation.Fn fn : Activation.Fn.values()) {
            add(Activation.signature(fn), c -> new Activation(fn));
        }
        add(Pool.signature(true), c -> Pool.define(c, true));
        add(Pool.signature(false), c -> Pool.define(c, false));
        add(Full.SIGNATURE, Full::define);
        add(Softmax.SIGNATURE, c -> new Softmax());
        add(Add.SIGNATURE, Add::define);
        add(Concat.SIGNATURE, Concat::define);
    }

    private static void add(Signature signature, Function<Call, ForwardOp> define) {
        NODES.put(signature.op(), new Entry(signature, define));
    }

    private Operations() {}
}
