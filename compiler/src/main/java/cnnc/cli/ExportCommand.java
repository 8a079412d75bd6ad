package cnnc.cli;

import cnnc.ir.Buffer;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.onnx.Exporter;
import cnnc.runtime.io.AtomicFiles;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cnnc export}: a model's inference graph with trained weights as an ONNX file (docs/onnx.md). */
@Command(name = "export", description = "Write a model's inference graph with its trained weights as ONNX (bn with running statistics, "
        + "softmax output, the .cnn names kept); see docs/onnx.md.")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Option(names = "--weights", paramLabel = "W.safetensors", description = "The trained weights (an .onnx model brings its own).")
    Path weights;

    @Option(names = {"-o", "--output"}, paramLabel = "MODEL.onnx", required = true, description = "The ONNX file to write.")
    Path output;

    @Option(names = "--opset", paramLabel = "N", description = "ONNX operator set, " + Exporter.MIN_OPSET + " to " + Exporter.MAX_OPSET
            + " (default " + Exporter.DEFAULT_OPSET + ").")
    int opset = Exporter.DEFAULT_OPSET;

    @Option(names = "--force", description = "Overwrite the output if it exists.")
    boolean force;

    @Override
    public Integer call() {
        if (opset < Exporter.MIN_OPSET || opset > Exporter.MAX_OPSET) {
            throw new UserError("--opset " + opset + " is not supported: cnnc writes opsets " + Exporter.MIN_OPSET + " to " + Exporter.MAX_OPSET);
        }
        if (weights == null && !model.isOnnx()) {
            throw new UserError("--weights is required: the trained weights of the model (cnnc train writes them)");
        }
        new Inputs().file("the model", model.model).file("the weights", weights).check("-o", output);
        if (Files.exists(output) && !force) {
            throw new UserError("'" + output + "' exists; add --force to overwrite it");
        }
        Model m = model.compile(model.options().withTraining(false));
        TensorFile f = weights == null ? model.imported().weights() : WeightFiles.read(weights, "--weights");
        check(m, f);
        byte[] bytes;
        try {
            bytes = Exporter.export(m, f, opset).toByteArray();
        } catch (IllegalArgumentException e) {
            throw new UserError(m.source().name() + ": " + e.getMessage());
        }
        try {
            AtomicFiles.write(output, ch -> {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            });
        } catch (IOException e) {
            throw new UserError("cannot write '" + output + "': " + e.getMessage());
        }
        spec.commandLine().getErr().println("cnnc: wrote " + output + " (network " + m.name() + ", opset " + opset + ", "
                + bytes.length + " bytes)");
        spec.commandLine().getErr().flush();
        return 0;
    }

    /** Every parameter and running statistic is in the file with the model's shape. */
    private void check(Model m, TensorFile f) {
        for (Buffer b : m.forward().sources()) {
            if (b.role() != Role.PARAMETER && b.role() != Role.STATE) {
                continue;
            }
            Tensor t = f.get(b.name());
            String where = weights == null ? model.model.toString() : weights.toString();
            if (t == null) {
                throw new UserError(where + " has no " + b.name() + " (the model expects " + b.shape() + ")");
            }
            if (!Arrays.equals(t.shape(), b.shape().toArray()) || t.dtype() != cnnc.runtime.DType.F32) {
                throw new UserError(where + ": " + b.name() + " is " + t.dtype() + " " + Tensor.shapeString(t.shape())
                        + " in the file but F32 " + Tensor.shapeString(b.shape().toArray()) + " in the model");
            }
        }
    }
}
