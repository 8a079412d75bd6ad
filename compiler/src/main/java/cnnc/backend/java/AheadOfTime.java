package cnnc.backend.java;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.syntax.Parser;
import java.util.ArrayList;
import java.util.List;

/**
 * Ahead-of-time generation for applications that embed networks (the Maven plugin and
 * {@code cnnc generate}): Java sources compiled by the application's own javac, needing only the
 * runtime jar at run time.
 */
public final class AheadOfTime {

    /** Which class to generate: with the backward pass, or the smaller forward-only one. */
    public enum Variant {
        /** forward, infer and backward; bn trains with batch statistics. */
        TRAINING,
        /** infer only: no sensitivities, gradients or path tensors; bn on running statistics. */
        INFERENCE;

        /** {@code training} or {@code inference}, case-insensitively; null if neither. */
        public static Variant parse(String s) {
            for (Variant v : values()) {
                if (v.name().equalsIgnoreCase(s == null ? "" : s.strip())) {
                    return v;
                }
            }
            return null;
        }
    }

    private AheadOfTime() {}

    /**
     * The class of every network in {@code source}, in file order.
     *
     * @param batch the batch size T, or 0 for each network's train block (else 1)
     * @throws cnnc.diag.CompileError with every diagnostic if the file has an error
     */
    public static List<JavaBackend.Source> generate(SourceFile source, int batch, Variant variant, String pkg) {
        return generate(source, batch, variant, pkg, JavaBackend.Memory.KEPT);
    }

    /**
     * {@link #generate(SourceFile, int, Variant, String)} with the classes' {@code memory}:
     * {@link JavaBackend.Memory#SHARED} lets the transient tensors share arrays.
     */
    public static List<JavaBackend.Source> generate(SourceFile source, int batch, Variant variant, String pkg, JavaBackend.Memory memory) {
        List<JavaBackend.Source> out = new ArrayList<>();
        Options options = Options.defaults().withBatch(batch).withTraining(variant == Variant.TRAINING);
        Parser.parse(source).forEach(net -> {
            Model m = Pipeline.compile(source, options.withNetwork(net.name().text()));
            out.add(JavaBackend.generate(m, pkg, false, memory)); // plain Java: the application may lack jdk.incubator.vector
        });
        return out;
    }

    /** Whether {@code pkg} is a Java package name ({@code ""}: the unnamed package). */
    public static boolean isPackageName(String pkg) {
        return pkg.isEmpty() || pkg.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
    }
}
