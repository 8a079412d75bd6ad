package cnnc.backend.java;

import cnnc.interp.Interpreter;
import cnnc.ir.Model;
import cnnc.ops.Conv.Algo;
import cnnc.passes.ConvKernels;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;

/**
 * The error of each convolution kernel against the float64 interpreter, a tool, not a test
 * ({@code WinogradError C HxW BATCH}): two 3x3 layers of C channels, forward and backward, computed
 * with direct, Winograd F(2x2, 3x3) and F(4x4, 3x3) (forward, backward-data {@code grad.r} and the weight gradients
 * {@code grad.*.weight}: {@link WinogradGradEmitter}, F(2x2, 3x3) only); per tensor, the largest error in units of the tensor's largest
 * magnitude ({@code max|a - e| / max|e|}) and in float32 ulps of it ({@code / 2^-24}).
 */
public final class WinogradError {

    private WinogradError() {}

    public static void main(String[] args) {
        int c = Integer.parseInt(args[0]);
        String hw = args[1];
        int batch = Integer.parseInt(args[2]);
        String text = "network e {\n input x : " + c + "x" + hw + ";\n target z : 10;\n a = conv(x, " + c + ", kernel: 3x3);\n"
                + " r = relu(a);\n b = conv(r, " + c + ", kernel: 3x3);\n f = full(b, 10);\n y = softmax(f);\n loss cross_entropy(y, z);\n}\n";
        Model m = Models.model("e.cnn", text, batch);
        System.out.printf("conv 3x3 %d channels, %s, batch %d: max error / max|e| (in 2^-24 units)%n", c, hw, batch);
        for (Algo algo : new Algo[] {Algo.DIRECT, Algo.WINOGRAD2, Algo.WINOGRAD4}) {
            Model k = ConvKernels.run(m, algo);
            Network net = JaninoLoader.compile(JavaBackend.generate(k, "cnnc.err", true)).instantiate();
            Models.fill(net, 3);
            Interpreter ref = new Interpreter(k);
            for (TensorSpec s : net.tensors()) {
                if (s.role() == TensorSpec.Role.PARAMETER || s.role() == TensorSpec.Role.INPUT || s.role() == TensorSpec.Role.TARGET) {
                    ref.set(s.name(), ReferenceTest.toDouble(net.tensor(s.name())));
                }
            }
            net.forward();
            net.backward();
            ref.forward(true);
            ref.backward();
            StringBuilder line = new StringBuilder(String.format("%-9s", algo.word()));
            for (String t : new String[] {"a", "b", "grad.r", "grad.b.weight", "grad.a.weight"}) {
                double[] e = ref.buffer(t);
                float[] a = net.tensor(t);
                double max = 0, err = 0;
                for (int i = 0; i < e.length; i++) {
                    max = Math.max(max, Math.abs(e[i]));
                    err = Math.max(err, Math.abs(a[i] - e[i]));
                }
                line.append(String.format("  %s %.1f", t, err / max / 0x1p-24));
            }
            System.out.println(line);
            net.close();
        }
    }
}
