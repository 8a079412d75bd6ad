package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Steps' temporary scratch arrays sharing memory ({@link ScratchSlots}): the allocator's rule (uses
 * whose runs overlap never share; a slot is as large as its largest use), and a training class whose
 * shared arrays, filled with NaN before every pass as another step's leftovers would be, still gives
 * the same bits as an instance never poisoned, pass after pass.
 */
@org.junit.jupiter.api.Timeout(300)
class ScratchSlotsTest {

    /** Winograd forward, backward-data and gradient (c2, c3), direct kernels (c1: 3 input channels; c4: 5x5) and a full layer. */
    static final String NET = """
            network slots {
                input x : 3x12x12;
                target z : 5;
                c1 = conv(x, 16, kernel: 3x3);
                r1 = relu(c1);
                c2 = conv(r1, 16, kernel: 3x3, algo: winograd);
                r2 = relu(c2);
                c3 = conv(r2, 24, kernel: 3x3, algo: winograd);
                r3 = relu(c3);
                c4 = conv(r3, 8, kernel: 5x5);
                f = full(c4, 5);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;

    private static ScratchSlots.Use use(String f, long size, int first, int last) {
        return new ScratchSlots.Use(f, size, first, last);
    }

    @Test
    void usesThatRunAtTheSameTimeNeverShare() {
        List<ScratchSlots.Slot> slots = ScratchSlots.assign(List.of(
                use("a", 100, 0, 2), use("b", 50, 1, 1), use("c", 70, 3, 4), use("d", 120, 4, 4), use("e", 10, 5, 5)));
        // d (120, runs 4) and a (100, runs 0-2) share; c overlaps d, b overlaps a: c and b share; e joins d's slot
        assertEquals(2, slots.size(), slots.toString());
        assertEquals(List.of("d", "a", "e"), slots.get(0).uses().stream().map(ScratchSlots.Use::field).toList());
        assertEquals(120, slots.get(0).size());
        assertEquals(List.of("c", "b"), slots.get(1).uses().stream().map(ScratchSlots.Use::field).toList());
        assertEquals(70, slots.get(1).size());
        for (ScratchSlots.Slot s : slots) {
            for (ScratchSlots.Use u : s.uses()) {
                assertTrue(u.size() <= s.size());
                for (ScratchSlots.Use v : s.uses()) {
                    assertTrue(u == v || !u.overlaps(v), u + " overlaps " + v);
                }
            }
        }
    }

    @Test
    void aTrainingClassSharesItsStepsScratch() {
        Model m = Models.model("slots.cnn", NET, 3);
        String text = JavaBackend.generate(m, "cnnc.generated", true).text();
        long shared = sum(text, "private final float\\[\\] scratch\\d+ = new float\\[(\\d+)\\]");
        long uses = sum(text, "\\((\\d+) floats\\), written before read in each run");
        assertTrue(shared > 0 && shared < uses, "shared " + shared + " floats for uses of " + uses);
        assertTrue(text.contains("conv_c2_d = scratch"), "Winograd's padded planes are temporary (it writes their zeros)");
        JavaBackend.ScratchMemory sm = JavaBackend.inspect(m, true).scratch();
        assertEquals(shared, sm.shared(), "what cnnc check reports is what the class allocates");
        assertEquals(uses, sm.temporary());
        assertTrue(sm.kept() > 0 && sm.arrays() >= 1, sm.toString());
        assertTrue(text.contains("Scratch of f0_conv_c1_, kept from one run to the next"), "the padded copy the gradient reads is kept");
    }

    static long sum(String text, String regex) {
        long s = 0;
        Matcher mt = Pattern.compile(regex).matcher(text);
        while (mt.find()) {
            s += Long.parseLong(mt.group(1));
        }
        return s;
    }

    @Test
    void poisonedScratchGivesTheSameBitsPassAfterPass() {
        Model m = Models.model("slots.cnn", NET, 3);
        Network clean = Models.network(m);
        Network poisoned = Models.network(m);
        Models.fill(clean, 9);
        Models.fill(poisoned, 9);
        clean.setThreads(2);
        poisoned.setThreads(2);
        for (int pass = 0; pass < 3; pass++) {
            assertTrue(Models.poisonScratch(poisoned) >= 2, "shared arrays to poison");
            poisoned.forward();
            Models.poisonScratch(poisoned);
            poisoned.backward();
            clean.forward();
            clean.backward();
            for (String name : clean.parameterNames()) {
                assertArrayEquals(clean.tensor("grad." + name), poisoned.tensor("grad." + name), "pass " + pass + ": grad." + name);
                float[] p = poisoned.tensor(name);
                float[] g = poisoned.tensor("grad." + name);
                float[] q = clean.tensor(name);
                float[] h = clean.tensor("grad." + name);
                for (int i = 0; i < p.length; i++) {
                    p[i] -= 0.01f * g[i];
                    q[i] -= 0.01f * h[i];
                }
            }
        }
        clean.close();
        poisoned.close();
    }
}
