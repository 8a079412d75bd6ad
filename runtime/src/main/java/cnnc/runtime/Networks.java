package cnnc.runtime;

import java.util.ArrayList;
import java.util.List;

/** Helpers over the {@link Network} interface that implementations need not provide. */
public final class Networks {

    private Networks() {
    }

    /**
     * The spec of one tensor.
     *
     * @throws IllegalArgumentException if the network has no tensor of that name
     */
    public static TensorSpec spec(Network net, String name) {
        for (TensorSpec s : net.tensors()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("network " + net.name() + " has no tensor '" + name + "'");
    }

    /** The specs with one of the given roles, in the network's order. */
    public static List<TensorSpec> withRole(Network net, TensorSpec.Role... roles) {
        List<TensorSpec> out = new ArrayList<>();
        for (TensorSpec s : net.tensors()) {
            for (TensorSpec.Role r : roles) {
                if (s.role() == r) {
                    out.add(s);
                    break;
                }
            }
        }
        return out;
    }

    /** What a weights file holds: parameters and running statistics. */
    public static List<TensorSpec> persistent(Network net) {
        return withRole(net, TensorSpec.Role.PARAMETER, TensorSpec.Role.STATE);
    }

    /**
     * Checks that every spec'd buffer exists with the spec'd length and that every parameter has
     * a gradient of the same shape; for testing implementations (generated code included).
     *
     * @throws IllegalStateException naming the first inconsistency
     */
    public static void checkConsistent(Network net) {
        for (TensorSpec s : net.tensors()) {
            int len = s.dtype() == DType.I32 ? net.path(s.name()).length : net.tensor(s.name()).length;
            if (len != s.size()) {
                throw new IllegalStateException(s.name() + ": buffer has " + len + " elements, spec " + s);
            }
        }
        for (String p : net.parameterNames()) {
            TensorSpec w = spec(net, p);
            TensorSpec g = spec(net, "grad." + p);
            if (w.role() != TensorSpec.Role.PARAMETER || g.role() != TensorSpec.Role.GRADIENT
                    || w.size() != g.size()) {
                throw new IllegalStateException(p + ": parameter/gradient mismatch: " + w + " vs " + g);
            }
        }
    }
}
