package cnnc.inspect;

import java.util.List;
import java.util.Map;

/** A small JSON writer for the dumps (values: maps, lists, strings, numbers, booleans, enums as lower-case strings, null). */
final class Json {

    /** The longest line an object is inlined into, indentation included. */
    private static final int INLINE = 110;

    private Json() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object v, int indent) {
        switch (v) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b);
            case Double d -> out.append(Double.isFinite(d) ? d.toString() : "null");
            case Number n -> out.append(n);
            case Map<?, ?> m -> object(out, m, indent);
            case List<?> l -> array(out, l, indent);
            case Enum<?> e -> string(out, e.name().toLowerCase());
            default -> string(out, v.toString());
        }
    }

    /** Objects of scalars and flat lists that fit on a line are written on one line (a buffer, an op's attributes). */
    private static void object(StringBuilder out, Map<?, ?> m, int indent) {
        if (m.isEmpty()) {
            out.append("{}");
            return;
        }
        if (m.values().stream().allMatch(Json::flat)) {
            StringBuilder line = new StringBuilder("{");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                string(line, String.valueOf(e.getKey()));
                line.append(": ");
                write(line, e.getValue(), indent + 1);
                line.append(++i < m.size() ? ", " : "}");
            }
            if (indent * 2 + line.length() <= INLINE) {
                out.append(line);
                return;
            }
        }
        out.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.append("  ".repeat(indent + 1));
            string(out, String.valueOf(e.getKey()));
            out.append(": ");
            write(out, e.getValue(), indent + 1);
            out.append(++i < m.size() ? ",\n" : "\n");
        }
        out.append("  ".repeat(indent)).append('}');
    }

    private static boolean flat(Object v) {
        return !(v instanceof Map<?, ?> m && !m.isEmpty()) && !(v instanceof List<?> l && !flatList(l));
    }

    private static boolean flatList(List<?> l) {
        return l.stream().allMatch(x -> x instanceof Number || x instanceof Boolean || x instanceof String s && s.length() < 24);
    }

    private static void array(StringBuilder out, List<?> l, int indent) {
        if (flatList(l)) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                write(out, l.get(i), indent);
                out.append(i + 1 < l.size() ? ", " : "");
            }
            out.append(']');
            return;
        }
        out.append("[\n");
        for (int i = 0; i < l.size(); i++) {
            out.append("  ".repeat(indent + 1));
            write(out, l.get(i), indent + 1);
            out.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        out.append("  ".repeat(indent)).append(']');
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
