package cnnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.front.Options;
import cnnc.ir.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text dump's line format (the golden files pin whole dumps; these pin the parts that matter). */
@org.junit.jupiter.api.Timeout(30)
class TextDumpTest {

    private static final String MIX = TextDump.render(Models.mix(true), true);

    @Test
    void convBfNamesTheTransformAndTheBackwardAnchor() {
        Model lenet = Models.compile(Models.root().resolve("samples/lenet5.cnn"), Options.defaults());
        String dump = TextDump.render(lenet, true);
        assertTrue(dump.contains("\n  grad.p1 : 64x6x14x14 = conv_bf(grad.c2, c2.weight)  [V = rot180(W[c2])ᵀ, anchor (4,4), algo direct]"
                + "  {run 4}  @samples/lenet5.cnn:9\n"), dump);
        assertTrue(dump.contains("\n  grad.r1 : 64x6x28x28 = maxpool_bf(grad.p1, path.p1)  [through path.p1]  {run 5}  @samples/lenet5.cnn:8\n"), dump);
        assertTrue(dump.contains("\n  p1 : 64x6x14x14, path.p1 : 64x6x14x14 i32 = maxpool(r1)"), dump);
    }

    @Test
    void accumulateSpellsOutTheSum() {
        assertTrue(MIX.contains("\n  grad.r : 4x8x8x8 = accumulate(grad.r~c, grad.r~s, grad.r~u, grad.r~k)"
                + "  [grad.r = grad.r~c + grad.r~s + grad.r~u + grad.r~k]  {run 6}  @compiler/src/test/resources/inspect/mix.cnn:11\n"), MIX);
    }

    @Test
    void exclaveAnchorAndTransposedStride() {
        // anchor (-1,3) of a 3x3 kernel: pads (Pt,Pb,Pl,Pr) = (-1, 3, 3, -1); backward anchor (2-(-1), 2-3) = (3,-1).
        assertTrue(MIX.contains("= conv(r, c.weight, c.bias)  [kernel 3x3, anchor (-1,3), pads (-1,3,3,-1), algo scalar]"), MIX);
        assertTrue(MIX.contains("= conv_bf(grad.c, c.weight)  [V = rot180(W[c])ᵀ, anchor (3,-1), algo scalar]"), MIX);
        assertTrue(MIX.contains("grad.x : 4x3x16x16 = conv_bf(grad.a, a.weight)  [V = rot180(W[a])ᵀ, anchor (1,1), transposed stride 2x2, algo direct]"), MIX);
        assertTrue(MIX.contains("= avgpool_bf(grad.p)  [window 3x3, stride 2x2, overlapping windows accumulate]"), MIX);
    }

    @Test
    void everyLineCitesItsSourceAndSourcesComeFirst() {
        List<String> lines = MIX.lines().toList();
        assertEquals("network mix, batch 4, from compiler/src/test/resources/inspect/mix.cnn", lines.get(0));
        assertEquals("forward:", lines.get(1));
        assertEquals("  x : 4x3x16x16 = input", lines.get(2));
        assertEquals("  z : 4x10x1x1 = target", lines.get(3));
        assertTrue(lines.contains("  b.running_mean : 8 = state"), MIX);
        for (String line : lines) {
            if (line.contains("(")) {
                assertTrue(line.matches("  .+ = [a-z_]+\\(.*\\)(  \\[.+])?(  \\{run \\d+(; .+)?})?  @compiler/src/test/resources/inspect/mix\\.cnn:\\d+"), line);
            }
        }
        assertTrue(lines.contains("backward:"));
    }

    @Test
    void forwardOnlyWithoutBackward() {
        String dump = TextDump.render(Models.mix(false), false);
        assertTrue(!dump.contains("backward:") && !dump.contains("grad."), dump);
    }
}
