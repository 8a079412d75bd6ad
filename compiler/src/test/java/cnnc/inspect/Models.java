package cnnc.inspect;

import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.syntax.Parser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The models the inspection tests read: every {@code samples/*.cnn}, and {@code mix.cnn} that uses every operation. */
final class Models {

    private Models() {}

    /** The repository root (surefire runs there and sets {@code cnnc.root}). */
    static Path root() {
        return Path.of(System.getProperty("cnnc.root", ".")).toAbsolutePath().normalize();
    }

    /** Every sample, sorted by name; a new sample is picked up without touching the tests. */
    static List<Path> samples() {
        try (Stream<Path> files = Files.list(root().resolve("samples"))) {
            List<Path> out = files.filter(p -> p.getFileName().toString().endsWith(".cnn")).sorted().toList();
            if (out.isEmpty()) {
                throw new IllegalStateException("no samples/*.cnn under " + root());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String baseName(Path cnn) {
        String file = cnn.getFileName().toString();
        return file.substring(0, file.length() - ".cnn".length());
    }

    /** The test model with every operation; with {@code inputSensitivity} every backward operation too. */
    static Model mix(boolean inputSensitivity) {
        return compile(root().resolve("compiler/src/test/resources/inspect/mix.cnn"),
                Options.defaults().withInputSensitivity(inputSensitivity));
    }

    /** Compiles as {@code cnnc dump} does, naming the file relative to the root ({@code samples/lenet5.cnn}) as dumps cite it. */
    static Model compile(Path file, Options options) {
        try {
            String name = root().relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
            return Pipeline.compile(Parser.decode(name, Files.readAllBytes(file)), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
