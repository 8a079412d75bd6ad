package cnnc.cli;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc grad} (docs/files.md): one training-mode forward and backward pass on given weights and
 * inputs; writes every tensor of the network (activations, sensitivities {@code grad.<node>},
 * parameter gradients, path tensors, the loss) to a safetensors file.
 */
@Command(name = "grad", description = "Run one forward and backward pass and write every activation, sensitivity and gradient.")
final class GradCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Option(names = "--weights", paramLabel = "W.safetensors", required = true, description = "Parameters (and bn running statistics).")
    Path weights;

    @Option(names = "--input", paramLabel = "X.safetensors", required = true, description = "The input and target tensors, by their declared names.")
    Path input;

    @Option(names = "--out", paramLabel = "G.safetensors", required = true, description = "Where to write the tensors.")
    Path out;

    @Mixin
    DeviceArgs device;

    @Mixin
    ConvTileArg kernels;

    @Override
    public Integer call() {
        device.check();
        kernels.apply();
        new Inputs().file("the model", model.model).file("the --weights file", weights).file("the --input file", input).check("--out", out);
        TensorFile in = read(input);
        device.prepare();
        Model probe = model.compile(model.options().withBatch(1).withTraining(false));
        String inputName = probe.input().name();
        Tensor x = in.get(inputName);
        if (x == null) {
            throw new UserError(input + ": no tensor '" + inputName + "' (the input of " + probe.name() + ", shape [T, "
                    + dims(probe.input().shape().toArray()) + "]); the file holds " + in.names());
        }
        int batch = x.shape().length == 0 ? 0 : x.shape()[0];
        if (batch < 1) {
            throw new UserError(input + ": tensor '" + inputName + "' has shape " + Arrays.toString(x.shape())
                    + ", expected [T, " + dims(probe.input().shape().toArray()) + "]");
        }
        Model m = model.compile(model.options().withBatch(batch));
        if (m.target() == null) {
            throw new UserError(model.model + ": network " + m.name() + " has no loss, so it has no gradients");
        }
        TensorFile w = read(weights);
        Network net = device.build(m);
        try {
            loadWeights(net, w);
            try {
                NetworkFiles.loadTensors(net, in, input, net.inputName(), net.targetName());
            } catch (SafetensorsException e) {
                throw new UserError(e.getMessage());
            }
            net.forward();
            net.backward();
            // The same tensors, by the same names, whatever the device: net.tensors() lists the plan's
            // buffers; an OpenCL network downloads each one as snapshot() borrows it.
            try {
                TensorFile f = NetworkFiles.snapshot(net);
                f.metadata().put("model", net.name());
                Safetensors.write(out, f);
            } catch (SafetensorsException e) {
                throw new UserError(e.getMessage());
            }
            spec.commandLine().getErr().println("cnnc: loss " + net.loss() + " (" + device.describe(net) + "); wrote " + out);
        } finally {
            DeviceArgs.release(net);
        }
        return 0;
    }

    private static String dims(int[] shape) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < shape.length; i++) {
            b.append(i == 1 ? "" : ", ").append(shape[i]);
        }
        return b.toString();
    }

    private static TensorFile read(Path file) {
        try {
            return Safetensors.read(file);
        } catch (SafetensorsException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** Every parameter must be there with its shape; running statistics are read when present. */
    private void loadWeights(Network net, TensorFile f) {
        List<String> problems = new ArrayList<>();
        for (TensorSpec s : Networks.persistent(net)) {
            Tensor t = f.get(s.name());
            if (t == null) {
                if (s.role() == TensorSpec.Role.PARAMETER) {
                    problems.add(s.name() + ": missing (model " + net.name() + " expects F32 " + Arrays.toString(s.shape()) + ")");
                }
            } else if (t.dtype() != s.dtype() || !Arrays.equals(t.shape(), s.shape())) {
                problems.add(s.name() + ": file has " + t.dtype() + " " + Arrays.toString(t.shape()) + ", model expects "
                        + s.dtype() + " " + Arrays.toString(s.shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new UserError(weights + ": " + String.join("; ", problems));
        }
        for (TensorSpec s : Networks.persistent(net)) {
            Tensor t = f.get(s.name());
            if (t != null) {
                System.arraycopy(t.floats(), 0, net.tensor(s.name()), 0, s.size());
            }
        }
    }
}
