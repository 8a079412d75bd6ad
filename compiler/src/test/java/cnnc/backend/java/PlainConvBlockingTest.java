package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The plain-Java conv and conv_bf kernels: stride 1 on padded planes ({@link PlaneConvEmitter}),
 * other strides as row loops of {@link ConvEmitter#BLOCK} channels per load of an input row with a
 * kernel row's taps in one expression where every tap reaches. Both must give the bits of the
 * straightforward form, one channel at a time and a loop per tap ({@link ConvEmitter#perTap}), on
 * every tensor of a training step: ConvKernelTest's models (odd
 * maps, pads from none to full, an anchor on the window's edge and one outside it, strides 2 and 3,
 * a 7x7 kernel on wide rows), batch 3 (channels split over chunks, remainders of the block) and 9.
 * That the straightforward form is right is what the float64 and PyTorch fixture tests check.
 */
@org.junit.jupiter.api.Timeout(600)
class PlainConvBlockingTest {

    @AfterEach
    void reset() {
        ConvEmitter.perTap = false;
    }

    @ParameterizedTest
    @CsvSource({"convs, 3", "convs, 9", "strided, 3", "strided, 9"})
    void blockedRowsGiveTheBitsOfALoopPerTap(String which, int batch) {
        String source = which.equals("convs") ? ConvKernelTest.CONVS : ConvKernelTest.STRIDED;
        Model m = Models.model(which + ".cnn", source, batch);
        ConvEmitter.perTap = true;
        JavaBackend.Source perTap = JavaBackend.generate(m, "cnnc.generated", false);
        ConvEmitter.perTap = false;
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated", false);
        assertTrue(src.text().contains("float x0 = ") && !perTap.text().contains("float x0 = "), "the two forms are not the ones compared");
        Network straight = JaninoLoader.compile(perTap).instantiate();
        Network blocked = JaninoLoader.compile(src).instantiate();
        for (Network n : new Network[] {straight, blocked}) {
            Models.fill(n, 23);
            n.setThreads(2);
            n.forward();
            n.backward();
        }
        int compared = Models.assertSameBits(straight, blocked, which + ", batch " + batch);
        assertTrue(compared >= 20, "only " + compared + " tensors compared");
        straight.close();
        blocked.close();
    }
}
