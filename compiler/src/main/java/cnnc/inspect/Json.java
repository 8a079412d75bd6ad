package cnnc.inspect;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

/** A small JSON writer for the dumps (values: maps, lists, strings, numbers, booleans, records, null). */
final class Json {

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
            case Record r -> object(out, components(r), indent);
            case Enum<?> e -> string(out, e.name().toLowerCase());
            default -> string(out, v.toString());
        }
    }

    /** A record's components as a map, for op attributes. */
    static Map<String, Object> components(Record r) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                out.put(c.getName(), c.getAccessor().invoke(r));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private static void object(StringBuilder out, Map<?, ?> m, int indent) {
        if (m.isEmpty()) {
            out.append("{}");
            return;
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

    private static void array(StringBuilder out, List<?> l, int indent) {
        boolean flat = l.stream().allMatch(x -> x instanceof Number || x instanceof String s && s.length() < 24);
        if (flat) {
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
