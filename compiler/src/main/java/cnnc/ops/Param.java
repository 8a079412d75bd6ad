package cnnc.ops;

import cnnc.ir.Word;
import java.util.List;

/**
 * One scalar argument an operation accepts: its name, its kind, whether it may be given by
 * position, its typed {@link Default} and, for {@link Kind#CHOICE}, the constants allowed.
 */
public record Param(String name, Kind kind, boolean positional, Default dflt, List<Word> choices) {

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

    /** What an argument is when the call does not write it. */
    public sealed interface Default {
        /** It must be written. */
        record Required() implements Default {}

        /** It may be left out and then has no value (conv's {@code anchor}: the padding decides). */
        record Optional() implements Default {}

        /** This value. */
        record Value(Arg value) implements Default {}

        /** The value of another argument of the same call (pooling's {@code stride}: the window). */
        record SameAs(String param) implements Default {}
    }

    public Param {
        choices = List.copyOf(choices);
    }

    public static Param count(String name, boolean positional) {
        return new Param(name, Kind.COUNT, positional, new Default.Required(), List.of());
    }

    public static Param number(String name, double dflt) {
        return new Param(name, Kind.NUMBER, false, new Default.Value(new Arg.Number(dflt)), List.of());
    }

    /** A number that must be written, by position or name. */
    public static Param number(String name) {
        return new Param(name, Kind.NUMBER, true, new Default.Required(), List.of());
    }

    public static Param bool(String name, boolean dflt) {
        return new Param(name, Kind.BOOL, false, new Default.Value(new Arg.Bool(dflt)), List.of());
    }

    /** A size that must be written (by position or name). */
    public static Param size2(String name) {
        return new Param(name, Kind.SIZE2, true, new Default.Required(), List.of());
    }

    public static Param size2(String name, int rows, int cols) {
        return new Param(name, Kind.SIZE2, false, new Default.Value(new Arg.Size2(rows, cols)), List.of());
    }

    /** A size that defaults to the value of another argument. */
    public static Param size2(String name, String sameAs) {
        return new Param(name, Kind.SIZE2, false, new Default.SameAs(sameAs), List.of());
    }

    /** A pair that may be left out. */
    public static Param pair(String name) {
        return new Param(name, Kind.PAIR, false, new Default.Optional(), List.of());
    }

    /** One of the constants of {@code dflt}'s enum, {@code dflt} when not written. */
    public static <E extends Enum<E> & Word> Param choice(String name, E dflt) {
        return new Param(name, Kind.CHOICE, false, new Default.Value(new Arg.Choice(dflt)),
                List.of(dflt.getDeclaringClass().getEnumConstants()));
    }

    /** One of {@code choices}, {@code dflt} when not written. */
    public static Param choice(String name, Word dflt, List<? extends Word> choices) {
        return new Param(name, Kind.CHOICE, false, new Default.Value(new Arg.Choice(dflt)), List.copyOf(choices));
    }

    public boolean required() {
        return dflt instanceof Default.Required;
    }

    /** The words {@link #choices} are written as. */
    public List<String> words() {
        return choices.stream().map(Word::word).toList();
    }

    /** How the expected form reads in a message. */
    public String expects() {
        return switch (kind) {
            case COUNT -> "a positive integer";
            case NUMBER -> "a number";
            case BOOL -> "true or false";
            case SIZE2 -> "a size like 3x3 (or 3)";
            case PAIR -> "a pair like (1,1)";
            case CHOICE -> "one of " + String.join(", ", words());
        };
    }
}
