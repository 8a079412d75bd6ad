package cnnc.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable dataflow graph: the buffers it reads from outside ({@code sources}: inputs,
 * parameters, or — for a backward graph — the forward buffers it uses) and its steps in execution
 * order. The forward and the backward graph are both {@code Graph}s.
 */
public record Graph(List<Buffer> sources, List<Step> steps) {

    public Graph {
        sources = List.copyOf(sources);
        steps = List.copyOf(steps);
    }

    /** Every buffer, sources first then step outputs, by name (in definition order). */
    public Map<String, Buffer> buffers() {
        Map<String, Buffer> all = new LinkedHashMap<>();
        sources.forEach(b -> all.put(b.name(), b));
        steps.forEach(s -> s.outputs().forEach(b -> all.put(b.name(), b)));
        return Collections.unmodifiableMap(all);
    }

    public List<Buffer> buffers(Role role) {
        return buffers().values().stream().filter(b -> b.role() == role).toList();
    }

    /** The steps reading {@code b}, each once per input slot. */
    public List<Step> consumers(Buffer b) {
        List<Step> out = new ArrayList<>();
        for (Step s : steps) {
            for (Buffer in : s.inputs()) {
                if (in.name().equals(b.name())) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** The step writing {@code b}, or null for a source. */
    public Step producer(Buffer b) {
        for (Step s : steps) {
            for (Buffer out : s.outputs()) {
                if (out.name().equals(b.name())) {
                    return s;
                }
            }
        }
        return null;
    }
}
