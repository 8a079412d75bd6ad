package cnnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.front.Options;
import cnnc.ir.Model;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * {@code cnnc check}: the numbers are derived here by hand from docs/language.md §3 (shape rules, parameter
 * shapes) and §1 (float32, 4 bytes a value), not from the program's output.
 */
@org.junit.jupiter.api.Timeout(30)
class CheckTableTest {

    private static final Model LENET = Models.compile(Models.root().resolve("samples/lenet5.cnn"), Options.defaults());
    private static final String TABLE = CheckTable.render(LENET);
    private static final int T = 64;

    @Test
    void lenet5HasTheParametersOfItsLayers() {
        long c1 = 6 * 1 * 5 * 5 + 6;          // W[K][C][M][N] + b[K]
        long c2 = 16 * 6 * 5 * 5 + 16;
        long f1 = 120 * (16 * 5 * 5) + 120;    // W[K][L], L = C·H·W of p2 (16x5x5)
        long f2 = 84 * 120 + 84;
        long f3 = 10 * 84 + 10;
        assertEquals(61_706, c1 + c2 + f1 + f2 + f3);
        assertRow("c1", "conv", "64x6x28x28", "156", "6");
        assertRow("c2", "conv", "64x16x10x10", "2,416", "9");
        assertRow("f1", "full", "64x120x1x1", "48,120", "12");
        assertRow("f2", "full", "64x84x1x1", "10,164", "14");
        assertRow("f3", "full", "64x10x1x1", "850", "16");
        assertTrue(TABLE.contains("\ntotal parameters: 61,706 (241.0 KiB)\n"), TABLE);
    }

    @Test
    void everyTensorHasItsShapeOpAndLine() {
        // same conv keeps 28x28; 2x2 pools halve; valid 5x5 conv: 14 - 5 + 1 = 10.
        assertRow("x", "input", "64x1x28x28", "-", "3");
        assertRow("z", "target", "64x10x1x1", "-", "4");
        assertRow("r1", "relu", "64x6x28x28", "-", "7");
        assertRow("p1", "maxpool", "64x6x14x14", "-", "8");
        assertRow("r2", "relu", "64x16x10x10", "-", "10");
        assertRow("p2", "maxpool", "64x16x5x5", "-", "11");
        assertRow("r3", "relu", "64x120x1x1", "-", "13");
        assertRow("r4", "relu", "64x84x1x1", "-", "15");
        assertRow("y", "softmax", "64x10x1x1", "-", "17");
        assertRow("loss", "cross_entropy", "1", "-", "18");
        assertEquals(15, TABLE.lines().filter(l -> l.matches("\\S+ +[a-z_]+ +[0-9x]+ +[-0-9,]+ +\\d+")).count(),
                "a row for the input, the target, 12 tensors and the loss");
    }

    @Test
    void memoryOfEveryClassOfBuffer() {
        long c = (long) T * 6 * 28 * 28;     // c1, r1
        long p1 = (long) T * 6 * 14 * 14;
        long c2 = (long) T * 16 * 10 * 10;   // c2, r2
        long p2 = (long) T * 16 * 5 * 5;
        long f1 = T * 120L;                  // f1, r3
        long f2 = T * 84L;                   // f2, r4
        long f3 = T * 10L;                   // f3, y
        long activations = 2 * c + p1 + 2 * c2 + p2 + 2 * f1 + 2 * f2 + 2 * f3;
        // Every activation has a sensitivity but y: softmax and the loss are fused into (y - z)/T.
        long sensitivities = activations - f3;
        long params = 61_706;
        assertMemory("inputs", 1, 4L * T * 28 * 28);
        assertMemory("targets", 1, 4L * T * 10);
        assertMemory("activations", 12, 4 * activations);
        assertMemory("parameters", 10, 4 * params);
        assertMemory("path tensors", 2, 4 * (p1 + p2));   // int32, the shape of the pool's output
        assertMemory("sensitivities", 11, 4 * sensitivities);
        assertMemory("gradients", 10, 4 * params);
        assertMemory("loss", 1, 4);
        long total = 4L * T * 28 * 28 + 4L * T * 10 + 4 * activations + 8 * params + 4 * (p1 + p2) + 4 * sensitivities + 4;
        assertMemory("total", 48, total);
        assertEquals(8_579_156, total);
        assertTrue(TABLE.contains("memory at batch 64"), TABLE);
    }

    @Test
    void batchNormCountsGammaAndBetaNotItsRunningStatistics() {
        String mix = CheckTable.render(Models.mix(false));
        // bn per channel over 8 channels: γ and β of 8 each; the running mean and variance are state.
        assertTrue(mix.lines().anyMatch(l -> Arrays.asList(l.trim().split(" +")).equals(List.of("b", "bn", "4x8x8x8", "16", "10"))), mix);
        // conv a: 8x3x3x3 + 8, conv c: 8x8x3x3 + 8, bn: 16, deconv d: 24x2x3x3 + 2, full without bias: 10 x (2·4·3)
        long total = 8 * 3 * 9 + 8 + 8 * 8 * 9 + 8 + 16 + 24 * 2 * 9 + 2 + 10 * 2 * 4 * 3;
        assertTrue(mix.contains("total parameters: " + String.format(Locale.ROOT, "%,d", total) + " "), mix);
        // the four partial sensitivities of r (4x8x8x8) that the accumulate sums
        String partials = "partials 4 " + String.format(Locale.ROOT, "%,d", 4L * 4 * 4 * 8 * 8 * 8) + " ";
        assertTrue(mix.lines().anyMatch(l -> l.trim().replaceAll(" +", " ").startsWith(partials)), mix);
    }

    private static void assertRow(String... cells) {
        assertTrue(TABLE.lines().anyMatch(l -> Arrays.asList(l.trim().split(" +")).equals(List.of(cells))),
                "no row " + List.of(cells) + " in\n" + TABLE);
    }

    private static void assertMemory(String label, long buffers, long bytes) {
        String expected = label + " " + buffers + " " + String.format(Locale.ROOT, "%,d", bytes);
        assertTrue(TABLE.lines().map(l -> l.trim().replaceAll(" +", " ")).anyMatch(l -> l.startsWith(expected + " ")),
                "no memory line '" + expected + "' in\n" + TABLE);
    }
}
