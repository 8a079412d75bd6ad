package cnnc.runtime.optim;

import cnnc.runtime.Network;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Creates an optimizer from a model's {@code optimizer NAME(args)} setting, with docs/language.md §4's
 * defaults: {@code sgd(lr, momentum: 0, decay: 0, nesterov: false)} and
 * {@code adam(lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 0)}.
 */
public final class Optimizers {

    private static final List<String> SGD_ARGS = Arrays.asList("lr", "momentum", "decay", "nesterov");
    private static final List<String> ADAM_ARGS = Arrays.asList("lr", "beta1", "beta2", "eps", "decay");

    private Optimizers() {
    }

    /**
     * @param args values by name: {@code Number}s, and a {@code Boolean} for {@code nesterov}
     * @throws IllegalArgumentException naming the optimizer and argument on an unknown optimizer,
     *         an unknown or missing argument, a value of the wrong type, or one out of range
     */
    public static Optimizer create(String kind, Map<String, ?> args, Network net) {
        List<String> allowed;
        if ("sgd".equals(kind)) {
            allowed = SGD_ARGS;
        } else if ("adam".equals(kind)) {
            allowed = ADAM_ARGS;
        } else {
            throw new IllegalArgumentException("unknown optimizer '" + kind + "' (sgd or adam)");
        }
        for (String a : args.keySet()) {
            if (!allowed.contains(a)) {
                throw new IllegalArgumentException(kind + ": unknown argument '" + a + "' (" + kind + " takes "
                        + String.join(", ", allowed) + ")");
            }
        }
        if (!args.containsKey("lr")) {
            throw new IllegalArgumentException(kind + ": lr is required");
        }
        double lr = number(kind, args, "lr", 0);
        if ("sgd".equals(kind)) {
            Object n = args.get("nesterov");
            if (n != null && !(n instanceof Boolean)) {
                throw new IllegalArgumentException("sgd: nesterov must be true or false, got " + n);
            }
            return new Sgd(net, lr, number(kind, args, "momentum", 0), number(kind, args, "decay", 0),
                    Boolean.TRUE.equals(n));
        }
        return new Adam(net, lr, number(kind, args, "beta1", 0.9), number(kind, args, "beta2", 0.999),
                number(kind, args, "eps", 1e-8), number(kind, args, "decay", 0));
    }

    private static double number(String kind, Map<String, ?> args, String name, double dflt) {
        Object v = args.get(name);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(kind + ": " + name + " must be a number, got " + v);
        }
        return ((Number) v).doubleValue();
    }
}
