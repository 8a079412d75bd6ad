package cnnc.cli;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.onnx.Importer;
import cnnc.onnx.OnnxError;
import cnnc.passes.Pipeline;
import cnnc.syntax.Parser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The model file and how to build it: options every command that reads a model shares. */
public final class ModelArgs {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .cnn file, or an .onnx model (imported as cnnc import does).")
    Path model;

    @Option(names = "--input-shape", paramLabel = "CxHxW",
            description = "For an .onnx model whose input has unknown dimensions besides the batch: one sample's shape.")
    String inputShape;

    private Importer.Result imported;

    @Option(names = "--batch", paramLabel = "T", description = "Batch size (default: the train block's, else 1).")
    int batch;

    @Option(names = "--network", paramLabel = "NAME", description = "Which network of the file (default: the first).")
    String network;

    public SourceFile source() {
        if (isOnnx()) {
            return SourceFile.of(model + " (imported)", imported().text());
        }
        try {
            return Parser.decode(model.toString(), Files.readAllBytes(model));
        } catch (NoSuchFileException e) {
            throw new UserError("cannot read '" + model + "': no such file");
        } catch (IOException e) {
            throw new UserError("cannot read '" + model + "': " + e.getMessage());
        }
    }

    /** The model file's exact bytes (a run directory keeps them). */
    public byte[] sourceBytes() {
        try {
            return Files.readAllBytes(model);
        } catch (IOException e) {
            throw new UserError("cannot read '" + model + "': " + e.getMessage());
        }
    }

    /** Whether the model is an ONNX file. */
    public boolean isOnnx() {
        return model.getFileName() != null && model.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    }

    /** The ONNX model as .cnn text and weights (imported once). */
    public Importer.Result imported() {
        if (imported == null) {
            try {
                imported = Importer.importFile(model, new Importer.Settings(true, parseShape(inputShape)));
            } catch (OnnxError e) {
                throw new UserError(e.getMessage());
            }
        }
        return imported;
    }

    /** {@code CxHxW} to three positive ints; null stays null. */
    static int[] parseShape(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split("x");
        try {
            if (parts.length == 3) {
                int[] d = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
                if (d[0] > 0 && d[1] > 0 && d[2] > 0) {
                    return d;
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserError("--input-shape '" + text + "' is not CxHxW with three positive numbers, like 3x32x32");
    }

    public Options options() {
        if (batch < 0) {
            throw new UserError("--batch must be at least 1, found " + batch);
        }
        return Options.defaults().withBatch(batch).withNetwork(network);
    }

    public Model compile(Options options) {
        return Pipeline.compile(source(), options);
    }
}
