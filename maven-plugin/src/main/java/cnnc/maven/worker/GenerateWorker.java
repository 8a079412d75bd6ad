package cnnc.maven.worker;

import cnnc.backend.java.AheadOfTime;
import cnnc.backend.java.AheadOfTime.Variant;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.CompileError;
import cnnc.diag.SourceFile;
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
 * <p>Arguments: {@code STAGING BATCH VARIANT PACKAGE} then, per model, {@code DISPLAY-NAME PATH}.
 * For model {@code i} it writes either its classes ({@code STAGING/i/pkg/Name.java}) or its
 * rendered diagnostics ({@code STAGING/i.errors}); {@code STAGING/result} lists
 * {@code i<TAB>pkg/Name.java<TAB>pkg.Name} per class and is written last, so its presence says the
 * worker finished. Exit 0 then; anything else is an internal error, its stack trace on stderr.
 */
public final class GenerateWorker {

    private GenerateWorker() {}

    public static void main(String[] args) throws IOException {
        Path staging = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        Variant variant = Variant.parse(args[2]);
        String pkg = args[3];
        List<String> result = new ArrayList<>();
        for (int i = 0, k = 4; k + 1 < args.length; i++, k += 2) {
            SourceFile source = null;
            try {
                source = Parser.decode(args[k], Files.readAllBytes(Path.of(args[k + 1])));
                for (JavaBackend.Source s : AheadOfTime.generate(source, batch, variant, pkg)) {
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
        Files.write(staging.resolve("result"), result, StandardCharsets.UTF_8);
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
