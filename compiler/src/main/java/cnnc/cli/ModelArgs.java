package cnnc.cli;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
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

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .cnn file.")
    Path model;

    @Option(names = "--batch", paramLabel = "T", description = "Batch size (default: the train block's, else 1).")
    int batch;

    @Option(names = "--network", paramLabel = "NAME", description = "Which network of the file (default: the first).")
    String network;

    public SourceFile source() {
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
