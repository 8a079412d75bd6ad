package cnnc.onnx;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.backend.opencl.OpenClBackend;
import cnnc.diag.CompileError;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.TensorFile;
import cnnc.runtime.opencl.OpenClDevices;
import cnnc.runtime.opencl.OpenClNetwork;
import java.nio.file.Path;

/** Compiles .cnn text and runs its inference pass on Java or OpenCL with given weights and input. */
final class Run {

    private Run() {}

    static Path root() {
        return Path.of(System.getProperty("cnnc.root", "..")).toAbsolutePath().normalize();
    }

    static Model compile(String name, String text, int batch, boolean training) {
        try {
            return Pipeline.compile(SourceFile.of(name, text), Options.defaults().withBatch(batch).withTraining(training));
        } catch (CompileError e) {
            throw new AssertionError("does not compile:\n" + e.render() + "\n" + text, e);
        }
    }

    /** The output of {@code m} (inference) for input {@code x} on "java" or "opencl". */
    static float[] infer(Model m, TensorFile weights, float[] x, String device) {
        Network net = device.equals("java") ? JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated")).instantiate()
                : new OpenClNetwork(OpenClBackend.generate(m).plan(), OpenClBackend.generate(m).source(),
                        OpenClDevices.select(System.getProperty("cnnc.opencl.device", "opencl")));
        try (net) {
            NetworkFiles.loadWeights(net, weights, Path.of("(test weights)"));
            float[] in = net.tensor(net.inputName());
            if (in.length != x.length) {
                throw new AssertionError("input of " + in.length + " values, given " + x.length);
            }
            System.arraycopy(x, 0, in, 0, x.length);
            net.infer();
            return net.tensor(net.outputName()).clone();
        }
    }

    /** {@code max |a - b| / max |b|}: the error relative to the output's scale. */
    static double relativeError(float[] a, double[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths " + a.length + " and " + b.length);
        }
        double err = 0;
        double scale = 1e-30;
        for (int i = 0; i < a.length; i++) {
            err = Math.max(err, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return err / scale;
    }

    /** Softmax of each row of {@code rows x k} logits, in float64. */
    static double[] softmax(float[] logits, int rows) {
        int k = logits.length / rows;
        double[] out = new double[logits.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                max = Math.max(max, logits[r * k + i]);
            }
            double sum = 0;
            for (int i = 0; i < k; i++) {
                out[r * k + i] = Math.exp(logits[r * k + i] - max);
                sum += out[r * k + i];
            }
            for (int i = 0; i < k; i++) {
                out[r * k + i] /= sum;
            }
        }
        return out;
    }

    static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
