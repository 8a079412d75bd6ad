package cnnc.interp;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Compiles the small test models, from {@code src/test/resources/gradcheck} or inline text. */
final class Models {

    /** The models GradientTest checks, covering every operation and variant. */
    static final String[] GRADCHECK = {"conv_anchors", "conv_padding", "pools", "bn", "join", "pixels", "lenet_small", "activations", "deconvs", "dropout"};

    private Models() {}

    /** {@code gradcheck/<name>.cnn} with its backward graph, {@code grad.x} included. */
    static Model gradcheck(String name) {
        return compile(name + ".cnn", resource("/gradcheck/" + name + ".cnn"), Options.defaults().withInputSensitivity(true));
    }

    static Model compile(String name, String text, Options options) {
        return Pipeline.compile(SourceFile.of(name, text), options);
    }

    /** A training model with grad.x from inline text. */
    static Model compile(String text) {
        return compile("inline.cnn", text, Options.defaults().withInputSensitivity(true));
    }

    /** A forward-only model (no loss needed, bn may have one value per statistic) from inline text. */
    static Model inference(String text) {
        return compile("inline.cnn", text, Options.defaults().withTraining(false));
    }

    /** The first step of {@code graph} running an op of class {@code type}. */
    static cnnc.ir.Step step(cnnc.ir.Graph graph, Class<? extends cnnc.ops.Op> type) {
        return graph.steps().stream().filter(s -> type.isInstance(s.op())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + type.getSimpleName() + " step"));
    }

    private static String resource(String path) {
        try (InputStream in = Models.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
