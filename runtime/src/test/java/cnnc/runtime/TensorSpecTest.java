package cnnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cnnc.runtime.testing.BufferNetwork;
import cnnc.runtime.testing.SoftmaxNet;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class TensorSpecTest {

    @Test
    void sizeIsTheProductOfTheShapeAndScalarsHaveOne() {
        assertEquals(6 * 1 * 5 * 5, TensorSpec.f32("c1.weight", TensorSpec.Role.PARAMETER, new int[] {6, 1, 5, 5}).size());
        assertEquals(1, TensorSpec.f32("loss", TensorSpec.Role.LOSS, new int[0]).size());
        assertEquals(0, TensorSpec.sizeOf(new int[] {3, 0}));
        assertThrows(IllegalArgumentException.class, () -> TensorSpec.sizeOf(new int[] {65536, 65536}));
    }

    @Test
    void shapeIsCopiedBothWays() {
        int[] shape = {2, 3};
        TensorSpec s = TensorSpec.f32("a", TensorSpec.Role.ACTIVATION, shape);
        shape[0] = 9;
        assertArrayEquals(new int[] {2, 3}, s.shape());
        s.shape()[1] = 9;
        assertArrayEquals(new int[] {2, 3}, s.shape());
    }

    @Test
    void refusesNegativeDimensionsAndEmptyNames() {
        assertThrows(IllegalArgumentException.class,
                () -> TensorSpec.f32("a", TensorSpec.Role.ACTIVATION, new int[] {2, -1}));
        assertThrows(IllegalArgumentException.class, () -> TensorSpec.f32("", TensorSpec.Role.ACTIVATION, new int[0]));
    }

    @Test
    void dtypeNamesAndSizes() {
        assertEquals(DType.F32, DType.fromName("F32"));
        assertEquals(DType.I32, DType.fromName("I32"));
        assertEquals(DType.F64, DType.fromName("F64"));
        assertEquals(null, DType.fromName("F16"));
        assertEquals(4, DType.F32.bytes());
        assertEquals(8, DType.F64.bytes());
    }

    @Test
    void consistencyCheckAcceptsAGoodNetworkAndNamesABadBuffer() {
        Networks.checkConsistent(new SoftmaxNet(4, 3, 4, 4));
        BufferNetwork bad = new BufferNetwork("bad", 1).param("f.weight", 2, 3);
        bad.add("grad.f.bias", TensorSpec.Role.GRADIENT, DType.F32, 2);
        bad.add("f.bias", TensorSpec.Role.PARAMETER, DType.F32, 3); // gradient has 2, parameter 3
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Networks.checkConsistent(bad));
        assertEquals(true, e.getMessage().startsWith("f.bias"), e.getMessage());
    }
}
