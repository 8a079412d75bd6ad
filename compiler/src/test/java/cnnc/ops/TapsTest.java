package cnnc.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The window index algebra against enumeration of every output and input cell. */
class TapsTest {

    @Test
    void outputsAreThoseWhoseTapReadsInside() {
        Random r = new Random(3);
        for (int trial = 0; trial < 20000; trial++) {
            int out = 1 + r.nextInt(12);
            int in = 1 + r.nextInt(12);
            int stride = 1 + r.nextInt(4);
            int pad = r.nextInt(13) - 6;
            int tap = r.nextInt(7);
            int lo = -1;
            int hi = -1;
            boolean below = false;
            boolean above = false;
            for (int o = 0; o < out; o++) {
                long at = (long) o * stride - pad + tap;
                below |= at < 0;
                above |= at >= in;
                if (at >= 0 && at < in) {
                    lo = lo < 0 ? o : lo;
                    hi = o + 1;
                }
            }
            Taps.Range range = Taps.outputs(out, in, stride, pad, tap);
            String what = out + " " + in + " " + stride + " " + pad + " " + tap;
            if (lo < 0) {
                assertEquals(range.lo(), range.hi(), "empty " + what);
            } else {
                assertEquals(lo, range.lo(), what);
                assertEquals(hi, range.hi(), what);
            }
            assertEquals(below, range.below(), what);
            assertEquals(above, range.above(), what);
        }
    }

    @Test
    void windowsSpillWhenSomeCellLiesPastTheInput() {
        for (int out = 1; out < 8; out++) {
            for (int in = 1; in < 12; in++) {
                for (int stride = 1; stride < 4; stride++) {
                    for (int extent = 1; extent < 5; extent++) {
                        boolean spill = false;
                        for (int o = 0; o < out; o++) {
                            spill |= o * stride + extent - 1 >= in;
                        }
                        assertEquals(spill, Taps.spills(out, in, stride, extent), out + " " + in + " " + stride + " " + extent);
                    }
                }
            }
        }
    }

    @Test
    void transposedTapsTestOnlyWhatSomeCellNeeds() {
        Random r = new Random(5);
        for (int trial = 0; trial < 20000; trial++) {
            int in = 1 + r.nextInt(12);
            int out = 1 + r.nextInt(12);
            int stride = 1 + r.nextInt(4);
            int pad = r.nextInt(13) - 6;
            int tap = r.nextInt(7);
            boolean below = false;
            boolean above = false;
            boolean strided = false;
            for (int i = 0; i < in; i++) {
                long e = (long) i + pad - tap;
                below |= e < 0;
                above |= e >= (long) out * stride;
                strided |= Math.floorMod(e, stride) != 0;
            }
            Taps.Transposed t = Taps.transposed(in, out, stride, pad, tap);
            String what = in + " " + out + " " + stride + " " + pad + " " + tap;
            assertEquals(below, t.below(), what);
            assertEquals(above, t.above(), what);
            // the divisibility test is emitted for every stride > 1; it is needed whenever two cells differ by one
            assertEquals(stride > 1, t.strided(), what);
            if (in > 1) {
                assertEquals(strided, t.strided(), what);
            }
        }
    }
}
