package cnnc.ops;

import java.util.List;

/**
 * What an operation accepts: between {@code minTensors} and {@code maxTensors} tensor names first
 * (by position), then its scalar {@link Param}s, by position where allowed, else by name.
 */
public record Signature(String op, int minTensors, int maxTensors, List<Param> params) {

    public Signature {
        params = List.copyOf(params);
    }

    public static Signature of(String op, int tensors, Param... params) {
        return new Signature(op, tensors, tensors, List.of(params));
    }

    public static Signature variadic(String op, int minTensors, Param... params) {
        return new Signature(op, minTensors, Integer.MAX_VALUE, List.of(params));
    }

    public Param param(String name) {
        return params.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    /** {@code conv(x, K, kernel: ..., ...)}: the usage line for messages. */
    public String usage() {
        StringBuilder s = new StringBuilder(op).append('(');
        if (maxTensors == Integer.MAX_VALUE) {
            s.append("a, b, ...");
        } else {
            for (int i = 0; i < maxTensors; i++) {
                s.append(i == 0 ? "" : ", ").append(maxTensors == 1 ? "x" : String.valueOf((char) ('a' + i)));
            }
        }
        for (Param p : params) {
            s.append(s.charAt(s.length() - 1) == '(' ? "" : ", ")
                    .append(p.positional() ? p.name() : p.name() + ": " + (p.required() ? "..." : "?"));
        }
        return s.append(')').toString();
    }
}
