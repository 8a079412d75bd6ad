package cnnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The goal run directly (no Maven): what it writes, what it adds to the project, how it fails. */
@org.junit.jupiter.api.Timeout(120)
class GenerateMojoTest {

    @TempDir
    Path dir;

    GenerateMojo mojo(String variant) {
        MavenProject project = new MavenProject();
        project.setFile(dir.resolve("pom.xml").toFile());
        GenerateMojo m = new GenerateMojo();
        m.project = project;
        m.sourceDirectory = dir.resolve("src/main/cnn").toFile();
        m.outputDirectory = dir.resolve("target/generated-sources/cnnc").toFile();
        m.packageName = "com.example.nets";
        m.batch = 1;
        m.variant = variant;
        m.setLog(new SystemStreamLog());
        return m;
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

    @Test
    void generatesEveryNetworkAndAddsTheSourceRoot() throws Exception {
        model("tiny.cnn", TINY);
        model("sub/two.cnn", TINY.replace("tiny", "first") + TINY.replace("tiny", "second"));
        GenerateMojo m = mojo("inference");
        m.execute();
        Path out = dir.resolve("target/generated-sources/cnnc/com/example/nets");
        for (String cls : new String[] {"Tiny_T1", "First_T1", "Second_T1"}) {
            assertTrue(Files.isRegularFile(out.resolve(cls + ".java")), cls);
        }
        String tiny = Files.readString(out.resolve("Tiny_T1.java"));
        assertTrue(tiny.contains("package com.example.nets;"));
        assertTrue(tiny.contains("of {@code src/main/cnn/tiny.cnn:1}, batch size 1, inference variant"), tiny);
        assertFalse(tiny.contains("path$p_"), "the inference variant has no path tensor");
        assertEquals(List.of(m.outputDirectory.getPath()), m.project.getCompileSourceRoots());
    }

    @Test
    void theTrainingVariantHasTheBackwardPass() throws Exception {
        model("tiny.cnn", TINY);
        mojo("training").execute();
        String tiny = Files.readString(dir.resolve("target/generated-sources/cnnc/com/example/nets/Tiny_T1.java"));
        assertTrue(tiny.contains("training variant"));
        assertTrue(tiny.contains("grad$c_"));
        assertTrue(tiny.contains("path$p_"));
    }

    @Test
    void unchangedModelsAreNotRewrittenAndStaleClassesGo() throws Exception {
        model("tiny.cnn", TINY);
        mojo("inference").execute();
        Path cls = dir.resolve("target/generated-sources/cnnc/com/example/nets/Tiny_T1.java");
        FileTime old = FileTime.fromMillis(1_000_000);
        Files.setLastModifiedTime(cls, old);
        mojo("inference").execute();
        assertEquals(old, Files.getLastModifiedTime(cls));

        Files.delete(dir.resolve("src/main/cnn/tiny.cnn"));
        model("renamed.cnn", TINY.replace("tiny", "renamed"));
        mojo("inference").execute();
        assertFalse(Files.exists(cls));
        assertTrue(Files.exists(cls.resolveSibling("Renamed_T1.java")));
    }

    @Test
    void aModelErrorFailsWithTheDiagnostics() throws Exception {
        model("bad.cnn", TINY.replace("f = full(p, 3);", "f = full(q, 3);"));
        GenerateMojo m = mojo("inference");
        MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
        List<String> lines = List.of(e.getMessage().split("\n"));
        assertEquals("cnnc: 1 model has errors:", lines.get(0));
        assertTrue(lines.get(1).startsWith("src/main/cnn/bad.cnn:6:14: error: undefined tensor 'q'"), e.getMessage());
        assertEquals("        f = full(q, 3);", lines.get(2)); // the line, indented by 4
        assertEquals("    " + " ".repeat(13) + "^", lines.get(3)); // the caret under column 14
        assertTrue(m.project.getCompileSourceRoots().isEmpty());
    }

    @Test
    void badSettingsAreRefused() throws Exception {
        model("tiny.cnn", TINY);
        GenerateMojo m = mojo("fast");
        assertTrue(assertThrows(MojoFailureException.class, m::execute).getMessage().contains("training or inference"));
        GenerateMojo p = mojo("inference");
        p.packageName = "com.example.2nets";
        assertTrue(assertThrows(MojoFailureException.class, p::execute).getMessage().contains("not a Java package name"));
    }

    @Test
    void extraModelsOutsideTheSourceDirectory() throws Exception {
        Path root = Path.of(System.getProperty("cnnc.root", ".."));
        GenerateMojo m = mojo("inference");
        m.models = List.of(new File(root.resolve("samples/lenet5.cnn").toString()));
        m.execute();
        assertTrue(Files.isRegularFile(dir.resolve("target/generated-sources/cnnc/com/example/nets/Lenet5_T1.java")));
    }
}
