package cnnc.cli;

import cnnc.diag.CompileError;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.onnx.Importer;
import cnnc.onnx.OnnxError;
import cnnc.passes.Pipeline;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.SafetensorsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc import}: an ONNX model as a readable .cnn file (each line commented with the ONNX node
 * it comes from) and its weights in cnnc's names and layouts (docs/onnx.md).
 */
@Command(name = "import", description = "Translate an ONNX model into a .cnn file and a safetensors weights file (docs/onnx.md).")
final class ImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path onnx;

    @Option(names = {"-o", "--output"}, paramLabel = "MODEL.cnn", required = true, description = "The .cnn file to write.")
    Path output;

    @Option(names = "--weights", paramLabel = "W.safetensors", description = "The weights file to write (default: MODEL.safetensors beside MODEL.cnn).")
    Path weights;

    @Option(names = "--input-shape", paramLabel = "CxHxW", description = "One sample's shape, for an input whose dimensions besides the batch are unknown.")
    String inputShape;

    @Option(names = "--no-softmax", description = "Do not append a softmax (and a target and loss) to a graph that ends in logits.")
    boolean noSoftmax;

    @Option(names = "--force", description = "Overwrite MODEL.cnn and the weights file if they exist.")
    boolean force;

    @Override
    public Integer call() {
        Path w = weights != null ? weights : defaultWeights(output);
        Inputs inputs = new Inputs().file("the model", onnx);
        inputs.check("-o", output);
        inputs.check("--weights", w);
        for (Path p : new Path[] {output, w}) {
            if (Files.exists(p) && !force) {
                throw new UserError("'" + p + "' exists; add --force to overwrite it");
            }
        }
        Importer.Result r;
        try {
            r = Importer.importFile(onnx, new Importer.Settings(!noSoftmax, ModelArgs.parseShape(inputShape)));
        } catch (OnnxError e) {
            throw new UserError(e.getMessage());
        }
        Model m;
        try {
            m = Pipeline.compile(SourceFile.of(output.toString(), r.text()), Options.defaults().withTraining(!noSoftmax));
        } catch (CompileError e) {
            throw new IllegalStateException("the .cnn text imported from " + onnx + " does not compile:\n" + e.render() + r.text(), e);
        }
        r.weights().metadata().put(NetworkFiles.MODEL, m.name());
        r.weights().metadata().put(GraphHash.KEY, GraphHash.of(m));
        r.weights().metadata().put("source", onnx.getFileName().toString());
        Output.write(output, r.text(), spec.commandLine().getOut());
        try {
            Safetensors.write(w, r.weights());
        } catch (SafetensorsException e) {
            throw new UserError(e.getMessage());
        }
        spec.commandLine().getErr().println("cnnc: wrote " + output + " (network " + m.name() + ", " + m.forward().steps().size()
                + " operations) and " + w + " (" + r.weights().names().size() + " tensors)");
        spec.commandLine().getErr().flush();
        return 0;
    }

    static Path defaultWeights(Path cnn) {
        String n = cnn.getFileName().toString();
        String stem = n.endsWith(".cnn") ? n.substring(0, n.length() - 4) : n;
        return cnn.resolveSibling(stem + ".safetensors");
    }
}
