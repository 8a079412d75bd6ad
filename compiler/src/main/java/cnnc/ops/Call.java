package cnnc.ops;

import cnnc.diag.Pos;
import cnnc.ir.Buffer;
import cnnc.ir.Shape;
import cnnc.ir.Word;
import java.util.List;

/**
 * One use of an operation in a .cnn file, its arguments already bound to the operation's
 * {@link Signature} and typed: what {@code define} methods check shapes against. Errors go to the
 * file's diagnostics with the argument's position.
 */
public interface Call {

    /** The tensor being defined ({@code c1} in {@code c1 = conv(...)}). */
    String node();

    /** The whole statement. */
    Pos pos();

    /** The input tensors, in order. */
    List<Buffer> tensors();

    /** Where input tensor {@code i} is named. */
    Pos tensorPos(int i);

    default Shape shape(int i) {
        return tensors().get(i).shape();
    }

    /** The batch size the graph is built for. */
    int batch();

    /** Whether the graph will be trained (bn needs two values per statistic). */
    boolean training();

    /** Whether the argument was written (else its default applies). */
    boolean given(String param);

    /** Where the argument was written, or the statement when it was not. */
    Pos pos(String param);

    int count(String param);

    double number(String param);

    boolean bool(String param);

    /** {@code [M, N]}. */
    int[] size2(String param);

    /** {@code [m, n]}. */
    int[] pair(String param);

    /** The constant chosen by a {@link Param.Kind#CHOICE} argument. */
    <W extends Word> W choice(String param, Class<W> type);

    void error(Pos pos, String message, String expected);
}
