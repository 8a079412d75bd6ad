package cnnc.ops;

import java.util.List;

/**
 * One scalar argument an operation accepts: its name, its kind, whether it may be given by
 * position, its default (null: required) and, for {@link Kind#CHOICE}, the words allowed.
 */
public record Param(String name, Kind kind, boolean positional, Object defaultValue, List<String> choices) {

    public enum Kind {
        /** A positive integer (sizes, counts). */
        COUNT,
        /** A number (integer or decimal). */
        NUMBER,
        /** {@code true} or {@code false}. */
        BOOL,
        /** {@code MxN}, or {@code N} meaning {@code NxN}; both at least 1. */
        SIZE2,
        /** {@code (m,n)}, integers that may be negative. */
        PAIR,
        /** One word of {@link #choices}. */
        CHOICE
    }

    public Param {
        choices = List.copyOf(choices);
    }

    public static Param count(String name, boolean positional) {
        return new Param(name, Kind.COUNT, positional, null, List.of());
    }

    public static Param number(String name, double dflt) {
        return new Param(name, Kind.NUMBER, false, dflt, List.of());
    }

    public static Param bool(String name, boolean dflt) {
        return new Param(name, Kind.BOOL, false, dflt, List.of());
    }

    public static Param size2(String name, int[] dflt) {
        return new Param(name, Kind.SIZE2, false, dflt, List.of());
    }

    public static Param pair(String name) {
        return new Param(name, Kind.PAIR, false, null, List.of());
    }

    public static Param choice(String name, String dflt, String... choices) {
        return new Param(name, Kind.CHOICE, false, dflt, List.of(choices));
    }

    public boolean required() {
        return defaultValue == null && kind != Kind.PAIR;
    }

    /** How the expected form reads in a message. */
    public String expects() {
        return switch (kind) {
            case COUNT -> "a positive integer";
            case NUMBER -> "a number";
            case BOOL -> "true or false";
            case SIZE2 -> "a size like 3x3 (or 3)";
            case PAIR -> "a pair like (1,1)";
            case CHOICE -> "one of " + String.join(", ", choices);
        };
    }
}
