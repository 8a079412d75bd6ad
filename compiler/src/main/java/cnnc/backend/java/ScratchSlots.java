package cnnc.backend.java;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which step scratch arrays share memory. A temporary scratch array ({@link StepCtx#scratch}) is
 * written before it is read in every run of its step, so it holds nothing outside the units
 * ({@code pool.run}s) that run the step: two arrays whose steps' runs do not overlap can be one
 * array. On cifar_vgg at batch 64 that is 458 MB of Winograd and direct-kernel scratch in 18 steps,
 * of which about one step's worth needs memory at a time.
 *
 * <p>First fit, largest first (interval colouring, as a register allocator or TVM's storage
 * rewrite does): each use takes the first slot none of whose uses overlaps it in time, else a new
 * slot; a slot is as large as its first, largest use. Kept scratch never comes here.
 */
final class ScratchSlots {

    private ScratchSlots() {}

    /** One temporary array: its field, its floats, and the first and last unit (in run order) of its step. */
    record Use(String field, long size, int first, int last) {
        boolean overlaps(Use o) {
            return first <= o.last && o.first <= last;
        }
    }

    /** One shared array: {@code size} floats used by {@code uses}, of which no two overlap in time. */
    record Slot(int index, long size, List<Use> uses) {
        String field() {
            return "scratch" + index;
        }
    }

    /** The slots of {@code uses}: deterministic (sizes, then unit, then field break ties). */
    static List<Slot> assign(List<Use> uses) {
        List<Use> order = new ArrayList<>(uses);
        order.sort(Comparator.comparingLong(Use::size).reversed().thenComparingInt(Use::first).thenComparing(Use::field));
        List<List<Use>> slots = new ArrayList<>();
        for (Use u : order) {
            List<Use> free = slots.stream().filter(sl -> sl.stream().noneMatch(u::overlaps)).findFirst().orElse(null);
            if (free == null) {
                free = new ArrayList<>();
                slots.add(free);
            }
            free.add(u);
        }
        List<Slot> out = new ArrayList<>();
        for (List<Use> sl : slots) {
            out.add(new Slot(out.size(), sl.get(0).size(), List.copyOf(sl)));
        }
        return out;
    }
}
