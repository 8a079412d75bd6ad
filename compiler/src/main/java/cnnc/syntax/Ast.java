package cnnc.syntax;

import cnnc.diag.Pos;
import java.util.List;

/** The syntax tree of a .cnn file: what was written, with positions, before any meaning is checked. */
public final class Ast {

    private Ast() {}

    /** A name as written, with its place. */
    public record Name(String text, Pos pos) {}

    /** One network of a file. */
    public record Network(Name name, List<Statement> statements, Pos pos) {}

    public sealed interface Statement permits InputDecl, TargetDecl, NodeDecl, LossDecl, TrainBlock {
        Pos pos();
    }

    /** {@code input x : 1x28x28;} — dims are C x H x W, or C alone. */
    public record InputDecl(Name name, List<Long> dims, Pos dimsPos, Pos pos) implements Statement {}

    /** {@code target z : 10;} */
    public record TargetDecl(Name name, List<Long> dims, Pos dimsPos, Pos pos) implements Statement {}

    /** {@code c1 = conv(x, 6, kernel: 5x5);} */
    public record NodeDecl(Name name, Name op, List<Argument> arguments, Pos pos) implements Statement {}

    /** {@code loss cross_entropy(y, z);} */
    public record LossDecl(Name op, List<Argument> arguments, Pos pos) implements Statement {}

    /** {@code train { batch 64; optimizer sgd(lr: 0.05); }} */
    public record TrainBlock(List<Setting> settings, Pos pos) implements Statement {}

    /**
     * A train setting: {@code batch 64;} (arguments empty), {@code optimizer sgd(lr: 0.1);} (value
     * null), or a block {@code augment { flip: horizontal; crop: 32, pad: 4; }} (value null, one
     * argument list per line in {@code lines}; null for the other two forms).
     */
    public record Setting(Name name, Value value, Name optimizer, List<Argument> arguments, List<List<Argument>> lines, Pos pos) {

        public Setting(Name name, Value value, Name optimizer, List<Argument> arguments, Pos pos) {
            this(name, value, optimizer, arguments, null, pos);
        }
    }

    /** A call argument: positional when {@code name} is null. */
    public record Argument(Name name, Value value) {
        public Pos pos() {
            return name != null ? name.pos() : value.pos();
        }
    }

    /** A literal or a name; see the grammar's {@code value} rule. */
    public sealed interface Value permits NameValue, IntValue, FloatValue, DimsValue, BoolValue, PairValue {
        Pos pos();

        /** How the user wrote it, for messages. */
        String text();
    }

    public record NameValue(String name, Pos pos) implements Value {
        public String text() { return name; }
    }

    /** Integers are kept as long (and as written) so out-of-range values get a clear message. */
    public record IntValue(long value, String text, Pos pos) implements Value {}

    public record FloatValue(double value, String text, Pos pos) implements Value {}

    public record DimsValue(List<Long> dims, String text, Pos pos) implements Value {}

    public record BoolValue(boolean value, Pos pos) implements Value {
        public String text() { return Boolean.toString(value); }
    }

    public record PairValue(long first, long second, String text, Pos pos) implements Value {}
}
