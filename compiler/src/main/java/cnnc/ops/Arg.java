package cnnc.ops;

import cnnc.ir.Word;

/** A scalar argument's typed value, as bound from a .cnn call or taken from its {@link Param}'s default. */
public sealed interface Arg {

    /** A positive integer. */
    record Count(int value) implements Arg {}

    /** A finite number. */
    record Number(double value) implements Arg {}

    record Bool(boolean value) implements Arg {}

    /** {@code MxN}, both at least 1. */
    record Size2(int rows, int cols) implements Arg {
        public int[] toArray() {
            return new int[] {rows, cols};
        }
    }

    /** {@code (m,n)}, integers that may be negative. */
    record Pair(int first, int second) implements Arg {
        public int[] toArray() {
            return new int[] {first, second};
        }
    }

    /** One of the words a {@link Param.Kind#CHOICE} allows, as its typed constant. */
    record Choice(Word value) implements Arg {}
}
