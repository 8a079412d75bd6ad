package cnnc.backend.java;

import cnnc.ir.Buffer;
import java.util.Locale;

/**
 * How names of the .cnn file become Java identifiers in generated code.
 *
 * <p>The scheme: a buffer's field is its name with {@code .} replaced by {@code $}, {@code ~} by
 * {@code $$}, and {@code _} appended: {@code c1 -> c1_}, {@code c1.weight -> c1$weight_},
 * {@code grad.c1 -> grad$c1_}, {@code grad.x~c2 -> grad$x$$c2_}, {@code path.p1 -> path$p1_}. It is
 * injective (.cnn names hold neither {@code $} nor {@code .} nor {@code ~}, which never occur twice
 * in a row in buffer names), and the result is never a Java keyword or literal ({@code class -> class_},
 * {@code _ -> __}), since none ends in {@code _}. Every other member and local variable of the
 * generated class is named by the generator and never ends in {@code _}, so a .cnn name cannot
 * clash with one ({@code forward -> forward_}, {@code this -> this_}).
 *
 * <p>Step methods are {@code f<i>_<op>_<node>} (forward) and {@code b<i>_<op>_<node>} (backward) with
 * the node mangled the same way; the class is the network name with its first letter upper-cased
 * and {@code _T<batch>} appended ({@code lenet5 -> Lenet5_T64}).
 */
public final class Names {

    private Names() {}

    /** The field holding a buffer. */
    public static String field(String bufferName) {
        return bufferName.replace("~", "$$").replace(".", "$") + "_";
    }

    public static String field(Buffer b) {
        return field(b.name());
    }

    /** The generated class of a network at a batch size. */
    public static String className(String network, int batch) {
        String first = network.substring(0, 1).toUpperCase(Locale.ROOT);
        return first + network.substring(1) + "_T" + batch;
    }

    /** A step method: {@code f3_conv_c2_}. */
    public static String stepMethod(boolean forward, int index, String mnemonic, String node) {
        return (forward ? "f" : "b") + index + "_" + mnemonic + "_" + field(node);
    }
}
