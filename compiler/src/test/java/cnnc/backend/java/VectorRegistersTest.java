package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which register file the tiles are sized for ({@link VectorRegisters}): from /proc/cpuinfo's flags, or forced. */
@org.junit.jupiter.api.Timeout(30)
class VectorRegistersTest {

    private static final String ZEN3 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse sse2 avx fma avx2 bmi2\n\n"
            + "processor\t: 1\nflags\t\t: fpu sse sse2 avx fma avx2 bmi2\n";
    private static final String ZEN4 = "processor\t: 0\nflags\t\t: fpu avx fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl\n";

    @AfterEach
    void reset() {
        System.clearProperty(VectorRegisters.PROPERTY);
    }

    @Test
    void avx512MeansThirtyTwoRegistersAndAvx2Sixteen() {
        assertEquals(new VectorRegisters.File(32, "x86 with AVX-512"), VectorRegisters.fromCpuinfo(ZEN4));
        assertEquals(new VectorRegisters.File(16, "x86 without AVX-512"), VectorRegisters.fromCpuinfo(ZEN3));
        // AVX-512F without VL (Xeon Phi) has no EVEX encoding of 256-bit operations, which the kernels' vectors are
        assertEquals(16, VectorRegisters.fromCpuinfo("flags\t: avx2 avx512f avx512pf\n").count());
        assertEquals(16, VectorRegisters.fromCpuinfo("no such line\n").count());
    }

    @Test
    void thePropertyForcesTheCountAndRejectsOthers() {
        System.setProperty(VectorRegisters.PROPERTY, "16");
        assertEquals(new VectorRegisters.File(16, "forced by cnnc.vector.registers"), VectorRegisters.current());
        System.setProperty(VectorRegisters.PROPERTY, " 32 ");
        assertEquals(32, VectorRegisters.current().count());
        System.setProperty(VectorRegisters.PROPERTY, "64");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, VectorRegisters::current);
        assertEquals("the vector register count must be 16 (x86 with AVX2) or 32 (AVX-512, AArch64), found '64'", e.getMessage());
    }

    /** This machine's file is one of the two, and the tiles the cost model picks fit it. */
    @Test
    void thisMachinesFileSizesTheTiles() {
        VectorRegisters.File here = VectorRegisters.current();
        assertTrue(here.count() == 16 || here.count() == 32, here.toString());
        ConvTiles.Tile t = ConvTiles.choose(3135, 64);
        assertTrue(ConvTiles.fits(t.p(), t.b(), here.count()), here + ": " + t);
    }
}
