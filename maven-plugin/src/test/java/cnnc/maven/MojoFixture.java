package cnnc.maven;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.io.TempDir;

/** A project in a temporary directory and the goal configured for it, run directly (no Maven). */
abstract class MojoFixture {

    @TempDir
    Path dir;

    GenerateMojo mojo(String variant) {
        MavenProject project = new MavenProject();
        project.setFile(dir.resolve("pom.xml").toFile());
        GenerateMojo m = new GenerateMojo();
        m.project = project;
        m.sourceDirectory = dir.resolve("src/main/cnn").toFile();
        m.outputDirectory = dir.resolve("target/generated-sources/cnnc").toFile();
        m.onnxDirectory = dir.resolve("src/main/onnx").toFile();
        m.resourceDirectory = dir.resolve("target/generated-resources/cnnc").toFile();
        m.buildDirectory = dir.resolve("target").toFile();
        m.packageName = "com.example.nets";
        m.batch = 1;
        m.variant = variant;
        m.setLog(new SystemStreamLog());
        m.workerClasspath = workerClasspath();
        return m;
    }

    /** The worker runs on this test's class path (target/classes holds it and the compiler is a dependency). */
    static List<Path> workerClasspath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Stream.of(cp.split(File.pathSeparator)).map(Path::of).toList();
    }

    void model(String name, String text) throws Exception {
        Path p = dir.resolve("src/main/cnn").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    static final String TINY = """
            network tiny {
                input x : 1x4x4;
                target z : 3;
                c = conv(x, 2, kernel: 3x3);
                p = maxpool(c, window: 2x2);
                f = full(p, 3);
                y = softmax(f);
                loss cross_entropy(y, z);
            }
            """;
}
