package cnnc.onnx;

import cnnc.backend.java.AheadOfTime;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.TensorFile;
import java.nio.file.Path;

/**
 * Ahead-of-time generation from an ONNX model, for build tools (the Maven plugin's
 * {@code src/main/onnx}): the class, as {@link AheadOfTime} makes it from a .cnn file, and the
 * weights the file holds, which the application loads beside it ({@code <network>.safetensors}).
 */
public final class OnnxAheadOfTime {

    /** The class, and its weights with {@code model} and {@code graph_hash} metadata. */
    public record Result(JavaBackend.Source source, String weightsFile, TensorFile weights) {}

    private OnnxAheadOfTime() {}

    /**
     * @param batch the batch size T, or 0 for the imported train block's
     * @throws OnnxError with every problem of the file
     */
    public static Result generate(Path onnx, String displayName, int batch, AheadOfTime.Variant variant, String pkg) {
        return generate(onnx, displayName, batch, variant, pkg, JavaBackend.Memory.KEPT);
    }

    /** {@link #generate(Path, String, int, AheadOfTime.Variant, String)} with the class's {@code memory}. */
    public static Result generate(Path onnx, String displayName, int batch, AheadOfTime.Variant variant, String pkg,
            JavaBackend.Memory memory) {
        Importer.Result r = Importer.importFile(onnx, Importer.Settings.defaults());
        SourceFile source = SourceFile.of(displayName, r.text());
        // checked as a .cnn file is (every diagnostic of the file at once), and compiled once
        Model m = Pipeline.compile(source, cnnc.front.Options.defaults().withBatch(batch).withTraining(variant == AheadOfTime.Variant.TRAINING));
        r.weights().metadata().put(NetworkFiles.MODEL, m.name());
        r.weights().metadata().put(GraphHash.KEY, GraphHash.of(m));
        return new Result(JavaBackend.generate(m, pkg, false, memory), m.name() + ".safetensors", r.weights());
    }
}
