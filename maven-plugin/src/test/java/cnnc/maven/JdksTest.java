package cnnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.toolchain.Toolchain;
import org.apache.maven.toolchain.ToolchainManager;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the plugin looks for a JDK 21+ to run the generator in, and what it says when there is none. */
@org.junit.jupiter.api.Timeout(60)
class JdksTest extends MojoFixture {

    @TempDir
    Path jvms;

    /** A directory that looks like a JDK of the given release ({@code 17.0.2}, {@code 1.8.0_392}). */
    Path fakeJdk(String name, String release) throws Exception {
        Path home = jvms.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + release + "\"\n");
        Files.writeString(home.resolve("bin/java"), "");
        return home;
    }

    @Test
    void versionsFromTheReleaseFile() throws Exception {
        assertEquals(17, Jdks.version(fakeJdk("a", "17.0.2")));
        assertEquals(8, Jdks.version(fakeJdk("b", "1.8.0_392")));
        assertEquals(25, Jdks.version(fakeJdk("c", "25")));
        assertEquals(-1, Jdks.version(jvms.resolve("none")));
        assertEquals(Runtime.version().feature(), Jdks.version(Path.of(System.getProperty("java.home"))));
    }

    GenerateMojo onlyJava17() throws Exception {
        GenerateMojo m = mojo("inference");
        m.mavenJavaHome = fakeJdk("jdk-17", "17.0.9");
        m.javaHomeEnv = m.mavenJavaHome.toString();
        m.installDirectories = List.of(jvms);
        return m;
    }

    @Test
    void theNewestInstalledJdk21OrLater() throws Exception {
        GenerateMojo m = onlyJava17();
        fakeJdk("jdk-21", "21.0.5");
        Path newest = fakeJdk("jdk-24", "24.0.1");
        fakeJdk("jdk-8", "1.8.0_392");
        Files.createSymbolicLink(jvms.resolve("default-java"), jvms.resolve("jdk-17"));
        assertEquals(new Jdks.Jdk(newest, 24), m.findJdk());
    }

    @Test
    void javaHomeBeforeTheInstalledOnes() throws Exception {
        GenerateMojo m = onlyJava17();
        fakeJdk("jdk-24", "24");
        m.javaHomeEnv = fakeJdk("jdk-22", "22").toString();
        assertEquals(22, m.findJdk().version());
    }

    @Test
    void noneFoundSaysWhereItLooked() throws Exception {
        GenerateMojo m = onlyJava17();
        String msg = assertThrows(MojoFailureException.class, m::findJdk).getMessage();
        String j17 = jvms.resolve("jdk-17").toString();
        assertEquals("cnnc: the generator needs a JDK 21 or newer (the cnnc compiler is Java 21; the generated classes and"
                + " cnnc-runtime need only Java 17), and found none. Looked at:\n"
                + "  the JDK running Maven: " + j17 + " (Java 17)\n"
                + "  JAVA_HOME: " + j17 + " (Java 17)\n"
                + "  the JDKs installed in " + jvms + ": jdk-17 (Java 17)\n"
                + "Install a JDK 21+ and name it with <jdkHome> in the plugin's <configuration> (or -Dcnnc.jdkHome=...), with a"
                + " jdk toolchain of version 21 in ~/.m2/toolchains.xml, or run Maven with JAVA_HOME set to it (docs/embedding.md)", msg);
        model("tiny.cnn", TINY);
        assertEquals(msg, assertThrows(MojoFailureException.class, m::execute).getMessage());
    }

    /** A ToolchainManager with a build-context toolchain (maven-toolchains-plugin's choice) and toolchains.xml entries. */
    static ToolchainManager toolchains(Path selected, Path... declared) {
        return new ToolchainManager() {
            @Override
            public Toolchain getToolchainFromBuildContext(String type, MavenSession session) {
                return selected == null ? null : jdk(selected);
            }

            @Override
            public List<Toolchain> getToolchains(MavenSession session, String type, Map<String, String> requirements) {
                assertEquals(Map.of("version", "[21,)"), requirements);
                return Stream.of(declared).map(JdksTest::jdk).toList();
            }
        };
    }

    static Toolchain jdk(Path home) {
        return new Toolchain() {
            @Override
            public String getType() {
                return "jdk";
            }

            @Override
            public String findTool(String tool) {
                return home.resolve("bin").resolve(tool).toString();
            }

            @Override
            public String toString() {
                return "JDK[" + home + "]";
            }
        };
    }

    @Test
    void toolchainsBeforeMavensOwnJdk() throws Exception {
        GenerateMojo m = onlyJava17();
        m.mavenJavaHome = fakeJdk("jdk-25", "25");
        Path j22 = fakeJdk("jdk-22", "22");
        m.toolchainManager = toolchains(fakeJdk("jdk-17b", "17"), j22);
        assertEquals(new Jdks.Jdk(j22, 22), m.findJdk(), "the selected toolchain is 17: the first [21,) one from toolchains.xml");
        m.toolchainManager = toolchains(fakeJdk("jdk-23", "23"), j22);
        assertEquals(23, m.findJdk().version(), "the toolchain maven-toolchains-plugin selected, when it is 21+");
        m.toolchainManager = toolchains(null);
        assertEquals(25, m.findJdk().version(), "no toolchain: the JDK running Maven");
        m.mavenJavaHome = jvms.resolve("jdk-17");
        m.installDirectories = List.of();
        String msg = assertThrows(MojoFailureException.class, m::findJdk).getMessage();
        assertTrue(msg.contains("\n  Maven toolchains: no jdk toolchain of version [21,) in toolchains.xml\n"), msg);
    }

    @Test
    void aConfiguredJdkHomeMustBe21OrLater() throws Exception {
        GenerateMojo m = onlyJava17();
        fakeJdk("jdk-25", "25");
        m.jdkHome = jvms.resolve("jdk-17").toFile();
        String msg = assertThrows(MojoFailureException.class, m::findJdk).getMessage();
        assertEquals("cnnc: <jdkHome> must be a JDK 21 or newer to run the generator, but <jdkHome>: " + m.jdkHome
                + " (Java 17); point it at a JDK 21+ or remove it", msg);
        m.jdkHome = jvms.resolve("jdk-25").toFile();
        assertEquals(25, m.findJdk().version());
    }

    @Test
    void generatesWithTheJdkFoundWhenMavenRunsOn17() throws Exception {
        GenerateMojo m = onlyJava17();
        Path real = Path.of(System.getProperty("java.home")); // this test runs on 21+
        Files.createSymbolicLink(jvms.resolve("real-jdk"), real);
        m.installDirectories = List.of(jvms, real.getParent());
        model("tiny.cnn", TINY);
        m.execute();
        assertTrue(Files.isRegularFile(dir.resolve("target/generated-sources/cnnc/com/example/nets/Tiny_T1.java")));
    }
}
