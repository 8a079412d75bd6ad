package cnnc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ops.BatchNorm;
import cnnc.ops.Conv;
import cnnc.passes.Pipeline;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a buffer is and how it starts is set by the operation that declares it, not read back from
 * its name: role, initial value, declaring node and (for derivatives) forward partner, and typed
 * attributes in place of words.
 */
@org.junit.jupiter.api.Timeout(120)
class TypedBufferTest {

    private static final String MODEL = """
            network kinds {
                input x : 2x8x8;
                target z : 4;
                c = conv(x, 3, kernel: 3x3, anchor: (-1,2), init: xavier);
                v = conv(c, 3, kernel: 2x2, padding: valid, bias: false);
                b = bn(v, per: channel);
                r = relu(b);
                p = maxpool(r, window: 2x2);
                s = add(p, p);
                f = full(s, 4);
                y = softmax(f);
                loss cross_entropy(y, z);
                train { batch 3; }
            }
            """;

    private static Model model() {
        return Pipeline.compile(SourceFile.of("kinds.cnn", MODEL), Options.defaults().withInputSensitivity(true));
    }

    @Test
    void parametersStartAsTheirOperationSays() {
        Map<String, Buffer> fwd = model().forward().buffers();
        assertEquals(Init.XAVIER, fwd.get("c.weight").init());
        assertEquals(Init.ZERO, fwd.get("c.bias").init());
        assertEquals(Init.HE, fwd.get("v.weight").init());
        assertEquals(Init.HE, fwd.get("f.weight").init());
        assertEquals(Init.ONE, fwd.get("b.gamma").init());
        assertEquals(Init.ZERO, fwd.get("b.beta").init());
        assertEquals(Init.ZERO, fwd.get("b.running_mean").init());
        assertEquals(Init.ONE, fwd.get("b.running_var").init());
        assertEquals(Role.STATE, fwd.get("b.running_var").role());
        assertEquals(Role.SAVED, fwd.get("b.batch_invstd").role());
        assertEquals(Role.PATH, fwd.get("path.p").role());
        assertEquals(DType.I32, fwd.get("path.p").dtype());
        for (Buffer b : fwd.values()) {
            assertTrue(b.role() == Role.PARAMETER || b.role() == Role.STATE || b.init() == Init.ZERO, b.name() + " starts at " + b.init());
            assertNull(b.of(), b.name() + " is not a derivative");
        }
    }

    @Test
    void everyBufferKnowsItsNodeAndEveryDerivativeItsPartner() {
        Model m = model();
        Map<String, Buffer> fwd = m.forward().buffers();
        assertEquals("c", fwd.get("c.weight").node());
        assertEquals("b", fwd.get("b.running_mean").node());
        assertEquals("p", fwd.get("path.p").node());
        int derivatives = 0;
        for (Buffer b : m.backwardGraph().buffers().values()) {
            switch (b.role()) {
                case SENSITIVITY, PARTIAL, GRADIENT -> {
                    Buffer partner = fwd.get(b.of());
                    assertEquals(partner.shape(), b.shape(), b.name());
                    assertEquals(partner.node(), b.node(), b.name());
                    assertEquals(b.role() == Role.GRADIENT, partner.role() == Role.PARAMETER, b.name() + " of " + partner.name());
                    derivatives++;
                }
                default -> assertNull(b.of(), b.name());
            }
        }
        assertEquals("p", m.backwardGraph().buffers().get("grad.p~s.0").of(), "a partial of p read twice by add");
        assertTrue(derivatives > 10, derivatives + " derivatives");
    }

    @Test
    void attributesAreTyped() {
        Model m = model();
        Conv c = (Conv) m.forward().steps().get(0).op();
        assertEquals(new Conv.Padding.Anchor(-1, 2), c.padding());
        assertEquals(-1, c.pt());
        assertEquals(3, c.pb());
        assertEquals(2, c.pl());
        assertEquals(0, c.pr());
        Conv v = (Conv) m.forward().steps().get(1).op();
        assertEquals(Conv.Padding.Mode.VALID, v.padding());
        BatchNorm bn = (BatchNorm) m.forward().steps().get(2).op();
        assertEquals(BatchNorm.Per.CHANNEL, bn.per());
        // what the graph hash reads is what it was when these were strings and a boolean
        assertTrue(c.toString().contains("init=xavier, padding=anchor (-1,2)"), c.toString());
        assertTrue(bn.toString().startsWith("BatchNorm[perChannel=true,"), bn.toString());
    }
}
