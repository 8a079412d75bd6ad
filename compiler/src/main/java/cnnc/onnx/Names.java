package cnnc.onnx;

import java.util.HashSet;
import java.util.Set;

/** Legal, unique .cnn names from ONNX node and value names ({@code /layer1/conv1/Conv} → {@code layer1_conv1}). */
final class Names {

    /** Names the language or the compiler keeps for itself (SPEC §6 prefixes, the loss). */
    private static final Set<String> RESERVED = Set.of("grad", "path", "loss", "true", "false");

    private final Set<String> taken = new HashSet<>();

    /** A legal name from {@code raw}; {@code opType} is dropped as PyTorch's last path segment. Null if nothing legal remains. */
    static String legal(String raw, String opType) {
        String s = raw.startsWith("/") ? raw.substring(1) : raw;
        int slash = s.lastIndexOf('/');
        if (slash > 0 && opType != null && s.substring(slash + 1).equals(opType)) {
            s = s.substring(0, slash);
        }
        s = s.replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("^_+|_+$", "");
        if (s.isEmpty()) {
            return null;
        }
        if (Character.isDigit(s.charAt(0))) {
            s = "t" + s;
        }
        return RESERVED.contains(s) ? s + "_" : s;
    }

    /** {@code base}, or {@code base_2}, {@code base_3}, ... if taken; marks it taken. */
    String claim(String base) {
        String name = base;
        for (int i = 2; !taken.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    boolean isTaken(String name) {
        return taken.contains(name);
    }
}
