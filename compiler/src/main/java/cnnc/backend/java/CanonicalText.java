package cnnc.backend.java;

import cnnc.diag.SourceFile;
import cnnc.runtime.io.Sha256;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A text of an immutable value (the typed IR: records, lists, maps, enums) that is complete and the
 * same in every JVM, for {@link ClassCache}'s key.
 */
final class CanonicalText {

    /** A record class's component names and accessors, in order. */
    private record Parts(String[] names, Method[] read) {}

    /** Each record class's {@link Parts}, looked up and made accessible once (per object it cost a third of the key's time). */
    private static final ClassValue<Parts> PARTS = new ClassValue<>() {
        @Override
        protected Parts computeValue(Class<?> type) {
            RecordComponent[] parts = type.getRecordComponents();
            String[] names = new String[parts.length];
            Method[] read = new Method[parts.length];
            for (int i = 0; i < parts.length; i++) {
                names[i] = parts[i].getName();
                read[i] = parts[i].getAccessor();
                read[i].setAccessible(true);
            }
            return new Parts(names, read);
        }
    };

    private CanonicalText() {}

    /**
     * The record text of {@code o}, as {@code toString} writes it but complete and the same in every
     * JVM: records walked component by component (some records' {@code toString} leaves out what
     * does not change the values computed, such as a conv's algorithm, which changes the code), a
     * map's entries and a set's elements sorted (the iteration order of {@code Map.copyOf} and
     * {@code Set.of} changes from one JVM to the next), enums by class and name, a source file by its
     * name and the SHA-256 of its text (every position refers to it). Other objects print themselves
     * (an identity hash would only cost a miss).
     */
    static void append(Object o, StringBuilder b) {
        canonical(o, b, new IdentityHashMap<>());
    }

    private static void canonical(Object o, StringBuilder b, Map<SourceFile, String> files) {
        switch (o) {
            case null -> b.append("null");
            case SourceFile f -> b.append("SourceFile[").append(f.name()).append(", sha256 ")
                    .append(files.computeIfAbsent(f, x -> Sha256.hex(x.text().getBytes(StandardCharsets.UTF_8)))).append(']');
            case Record r -> {
                b.append(r.getClass().getName()).append('[');
                Parts parts = PARTS.get(r.getClass());
                for (int i = 0; i < parts.read().length; i++) {
                    b.append(i == 0 ? "" : ", ").append(parts.names()[i]).append('=');
                    try {
                        canonical(parts.read()[i].invoke(r), b, files);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("cannot read " + parts.names()[i] + " of " + r.getClass(), e);
                    }
                }
                b.append(']');
            }
            case Map<?, ?> m -> {
                List<String> entries = new ArrayList<>();
                m.forEach((k, v) -> {
                    StringBuilder e = new StringBuilder();
                    canonical(k, e, files);
                    canonical(v, e.append('='), files);
                    entries.add(e.toString());
                });
                sorted(entries, b);
            }
            case Set<?> set -> {
                List<String> elements = new ArrayList<>();
                for (Object e : set) {
                    StringBuilder t = new StringBuilder();
                    canonical(e, t, files);
                    elements.add(t.toString());
                }
                sorted(elements, b);
            }
            case Iterable<?> list -> {
                b.append('[');
                String sep = "";
                for (Object e : list) {
                    canonical(e, b.append(sep), files);
                    sep = ", ";
                }
                b.append(']');
            }
            case Optional<?> opt -> {
                b.append("Optional[");
                canonical(opt.orElse(null), b, files);
                b.append(']');
            }
            case Enum<?> e -> b.append(e.getDeclaringClass().getName()).append('.').append(e.name());
            case int[] a -> b.append(java.util.Arrays.toString(a));
            case long[] a -> b.append(java.util.Arrays.toString(a));
            case float[] a -> b.append(java.util.Arrays.toString(a));
            case double[] a -> b.append(java.util.Arrays.toString(a));
            case Object[] a -> canonical(java.util.Arrays.asList(a), b, files);
            default -> b.append(o.getClass().getName()).append(':').append(o);
        }
    }

    private static void sorted(List<String> items, StringBuilder b) {
        items.sort(null);
        b.append('{').append(String.join(", ", items)).append('}');
    }
}
