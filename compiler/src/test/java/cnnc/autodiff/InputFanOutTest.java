package cnnc.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.passes.Pipeline;
import org.junit.jupiter.api.Test;

/** An input read by several edges gets its sensitivity summed like any other tensor's. */
@org.junit.jupiter.api.Timeout(30)
class InputFanOutTest {

    @Test
    void theSensitivityOfAFannedOutInputIsAccumulated() {
        Model model = Pipeline.compile(SourceFile.of("fan.cnn", """
                network fan {
                    input x : 1x4x4;
                    target z : 2;
                    a = conv(x, 2, kernel: 3x3);
                    b = conv(x, 2, kernel: 1x1);
                    s = add(a, b);
                    f = full(s, 2);
                    y = softmax(f);
                    loss cross_entropy(y, z);
                }
                """), Options.defaults().withInputSensitivity(true));
        Step last = model.backwardGraph().steps().getLast();
        assertEquals(new Accumulate(2), last.op());
        assertEquals("grad.x", last.output().name());
        assertEquals(java.util.List.of("grad.x~a", "grad.x~b"), last.inputs().stream().map(b -> b.name()).toList());
    }
}
