package cnnc.runtime.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The contents of a safetensors file: named tensors in order, and string metadata (the
 * {@code __metadata__} entry: model name, graph hash, epoch, ...). Mutable; not thread-safe.
 */
public final class TensorFile {

    /** The reserved header key for metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds or replaces a tensor. */
    public TensorFile put(String name, Tensor t) {
        if (name == null || name.isEmpty() || name.equals(METADATA_KEY)) {
            throw new IllegalArgumentException("bad tensor name: " + name);
        }
        tensors.put(name, t);
        return this;
    }

    /** The tensor of that name, or {@code null}. */
    public Tensor get(String name) {
        return tensors.get(name);
    }

    /** Tensor names in order (unmodifiable view). */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Tensors by name in order (unmodifiable view). */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** The metadata, modifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** One metadata value, or {@code null}. */
    public String meta(String key) {
        return metadata.get(key);
    }
}
