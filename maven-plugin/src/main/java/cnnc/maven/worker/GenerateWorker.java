package cnnc.maven.worker;

import cnnc.backend.java.AheadOfTime;
import cnnc.backend.java.AheadOfTime.Variant;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.CompileError;
import cnnc.diag.SourceFile;
import cnnc.onnx.OnnxAheadOfTime;
import cnnc.onnx.OnnxError;
import cnnc.runtime.io.Safetensors;
import cnnc.syntax.Parser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The half of {@code cnnc:generate} that needs the compiler, and so Java 21: {@code GenerateMojo}
 * (Java 17, in Maven's JVM) runs it in a JDK 21+ process it found. It writes nothing the user
 * sees: every class goes to a fresh staging directory, and the mojo decides what reaches the output
 * directory.
 *
 * <p>Arguments: {@code STAGING BATCH VARIANT PACKAGE MEMORY} ({@code kept} or {@code shared}) then,
 * per model, {@code DISPLAY-NAME PATH}.
 * For model {@code i} it writes either its classes ({@code STAGING/i/pkg/Name.java}) or its
 * rendered diagnostics ({@code STAGING/i.errors}); {@code STAGING/result} lists
 * {@code i<TAB>pkg/Name.java<TAB>pkg.Name} per class and is written last, so its presence says the
 * worker finished. Exit 0 then; anything else is an internal error, its stack trace on stderr.
 *
 * <p>A model whose path ends in {@code .onnx} is imported ({@link OnnxAheadOfTime}): besides its
 * class, its weights go to {@code STAGING/i/weights/pkg/name.safetensors}, and
 * {@code STAGING/resources} lists {@code i<TAB>pkg/name.safetensors} per weights file (written
 * before {@code result}). A file the importer rejects gets its problems in {@code STAGING/i.errors}.
 */
public final class GenerateWorker {

    private GenerateWorker() {}

    public static void main(String[] args) throws IOException {
        Path staging = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        Variant variant = Variant.parse(args[2]);
        String pkg = args[3];
        JavaBackend.Memory memory = JavaBackend.Memory.valueOf(args[4].toUpperCase(java.util.Locale.ROOT)); // kept or shared
        List<String> result = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        for (int i = 0, k = 5; k + 1 < args.length; i++, k += 2) {
            if (args[k + 1].endsWith(".onnx")) {
                onnx(staging, i, args[k], Path.of(args[k + 1]), batch, variant, pkg, memory, result, resources);
                continue;
            }
            SourceFile source = null;
            try {
                source = Parser.decode(args[k], Files.readAllBytes(Path.of(args[k + 1])));
                for (JavaBackend.Source s : AheadOfTime.generate(source, batch, variant, pkg, memory)) {
                    Path file = staging.resolve(Integer.toString(i)).resolve(s.relativePath());
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, s.text(), StandardCharsets.UTF_8);
                    result.add(i + "\t" + s.relativePath() + "\t" + s.qualifiedName());
                }
            } catch (CompileError e) {
                Files.writeString(staging.resolve(i + ".errors"), e.render() + (source == null ? "" : otherVariantNote(source, batch, variant)),
                        StandardCharsets.UTF_8);
            }
        }
        Files.write(staging.resolve("resources"), resources, StandardCharsets.UTF_8);
        Files.write(staging.resolve("result"), result, StandardCharsets.UTF_8);
    }

    /** An ONNX model: its class as for a .cnn file, and the weights it holds as a class path resource beside the class. */
    private static void onnx(Path staging, int i, String shown, Path file, int batch, Variant variant, String pkg, JavaBackend.Memory memory,
            List<String> result, List<String> resources) throws IOException {
        OnnxAheadOfTime.Result r;
        try {
            r = OnnxAheadOfTime.generate(file, shown, batch, variant, pkg, memory);
        } catch (OnnxError | CompileError e) {
            // the importer names the file by its path; the build names it as the user sees it
            String text = e instanceof CompileError c ? c.render() : new OnnxError(shown, ((OnnxError) e).problems()).getMessage();
            Files.writeString(staging.resolve(i + ".errors"), text.endsWith("\n") ? text : text + "\n", StandardCharsets.UTF_8);
            return;
        }
        JavaBackend.Source s = r.source();
        Path cls = staging.resolve(Integer.toString(i)).resolve(s.relativePath());
        Files.createDirectories(cls.getParent());
        Files.writeString(cls, s.text(), StandardCharsets.UTF_8);
        String weights = (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + r.weightsFile();
        Path w = staging.resolve(Integer.toString(i)).resolve("weights").resolve(weights);
        Files.createDirectories(w.getParent());
        Safetensors.write(w, r.weights());
        resources.add(i + "\t" + weights);
        result.add(i + "\t" + s.relativePath() + "\t" + s.qualifiedName());
    }

    /**
     * When the model compiles in the other variant, the errors come from the one configured (bn at
     * batch 1 in training, a network without a loss, an operation only one variant has): say so and
     * what to change in the POM.
     */
    static String otherVariantNote(SourceFile source, int batch, Variant variant) {
        Variant other = variant == Variant.TRAINING ? Variant.INFERENCE : Variant.TRAINING;
        try {
            AheadOfTime.generate(source, batch, other, "");
        } catch (CompileError e) {
            return "";
        }
        String v = variant.name().toLowerCase(java.util.Locale.ROOT);
        String o = other.name().toLowerCase(java.util.Locale.ROOT);
        return "note: " + source.name() + " compiles in the " + o + " variant; these errors come from <variant>" + v
                + "</variant>" + (variant == Variant.TRAINING ? " at <batch>" + batch + "</batch>" : "")
                + ": set <variant>" + o + "</variant>" + (variant == Variant.TRAINING
                        ? " to classify only, or keep training and change the model or <batch> as the errors say" : "")
                + "\n";
    }
}
