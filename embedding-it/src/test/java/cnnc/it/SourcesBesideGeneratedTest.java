package cnnc.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A new user's wish, built with real Maven on JDK 17: {@code <outputDirectory>} is
 * {@code src/main/java}, where the application's own sources are. They survive byte for byte a
 * build, a renamed network and a second build; the class no longer generated is deleted; the
 * application compiles and runs both times.
 */
@org.junit.jupiter.api.Timeout(600)
class SourcesBesideGeneratedTest {

    static final String POM = """
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>com.example</groupId>
              <artifactId>beside</artifactId>
              <version>1.0</version>
              <properties>
                <maven.compiler.release>17</maven.compiler.release>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
              </properties>
              <dependencies>
                <dependency><groupId>io.cnnc</groupId><artifactId>cnnc-runtime</artifactId><version>0.1.0-SNAPSHOT</version></dependency>
              </dependencies>
              <build>
                <plugins>
                  <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                  <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                  <plugin>
                    <groupId>io.cnnc</groupId>
                    <artifactId>cnnc-maven-plugin</artifactId>
                    <version>0.1.0-SNAPSHOT</version>
                    <executions><execution><goals><goal>generate</goal></goals></execution></executions>
                    <configuration>
                      <packageName>demo.nets</packageName>
                      <outputDirectory>${project.basedir}/src/main/java</outputDirectory>
                    </configuration>
                  </plugin>
                </plugins>
              </build>
            </project>
            """;

    static final String TINY = """
            network tiny {
                input x : 1x4x4;
                c = conv(x, 2, kernel: 3x3);
                f = full(c, 3);
                y = softmax(f);
            }
            """;

    static final String MAIN = """
            package demo;

            import demo.nets.%s_T1;

            /** The user's own code: must never be touched by the plugin. */
            public class Main {
                public static void main(String[] args) {
                    %s_T1 net = new %s_T1();
                    net.infer();
                    System.out.println("classes " + net.output().length);
                }
            }
            """;

    @Test
    void usersSourcesInTheOutputDirectorySurviveByteForByte() throws Exception {
        Sandbox s = Sandbox.installed();
        Path app = s.work.resolve("beside");
        Sandbox.deleteTree(app);
        Map<Path, byte[]> users = new LinkedHashMap<>();
        write(app.resolve("pom.xml"), POM, null);
        write(app.resolve("src/main/cnn/tiny.cnn"), TINY, null);
        write(app.resolve("src/main/java/demo/Main.java"), MAIN.formatted("Tiny", "Tiny", "Tiny"), users);
        write(app.resolve("src/main/java/demo/nets/Notes.java"), "package demo.nets;\n\n/** Mine, in the generated package. */\nclass Notes {}\n", users);
        write(app.resolve("src/main/java/demo/nets/README"), "not a Java file\n", users);

        String run = "mvn -B compile\njava -cp target/classes:$HOME/.m2/repository/io/cnnc/cnnc-runtime/0.1.0-SNAPSHOT/"
                + "cnnc-runtime-0.1.0-SNAPSHOT.jar demo.Main\n";
        String out = s.bash(Sandbox.JDK17, app, run, "a project generating into src/main/java");
        assertTrue(out.contains("classes 3"), out);
        Path tiny = app.resolve("src/main/java/demo/nets/Tiny_T1.java");
        assertTrue(Files.isRegularFile(tiny));
        assertUnchanged(users);

        // Rename the network; the user updates Main to match (byte for byte again afterwards).
        write(app.resolve("src/main/cnn/tiny.cnn"), TINY.replace("network tiny", "network small"), null);
        write(app.resolve("src/main/java/demo/Main.java"), MAIN.formatted("Small", "Small", "Small"), users);
        out = s.bash(Sandbox.JDK17, app, run, "the same project after renaming the network");
        assertTrue(out.contains("classes 3"), out);
        assertFalse(Files.exists(tiny), "the class no longer generated is deleted");
        assertTrue(Files.isRegularFile(app.resolve("src/main/java/demo/nets/Small_T1.java")));
        assertUnchanged(users);
    }

    static void write(Path p, String text, Map<Path, byte[]> remember) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        if (remember != null) {
            remember.put(p, Files.readAllBytes(p));
        }
    }

    static void assertUnchanged(Map<Path, byte[]> users) throws Exception {
        for (Map.Entry<Path, byte[]> e : users.entrySet()) {
            assertTrue(Files.exists(e.getKey()), e.getKey() + " was deleted");
            assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), e.getKey() + " changed");
        }
    }
}
