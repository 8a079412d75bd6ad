package cnnc.backend.opencl;

import java.util.HashSet;
import java.util.Set;

/** Kernel names, {@code <op>_<node>} ({@code conv_c1}, {@code maxpool_bf_p1}), made unique with a suffix. */
final class Names {

    private final Set<String> used = new HashSet<>();

    String kernel(String op, String node) {
        String base = op + "_" + node.replaceAll("[^A-Za-z0-9_]", "_");
        String name = base;
        for (int n = 2; !used.add(name); n++) {
            name = base + "_" + n;
        }
        return name;
    }
}
