package cnnc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/embedding.md's getting-started, run from its own text: the install of step 1 (once), then
 * steps 2 to 6 in an empty directory with Maven on JDK 17 and again on the newest JDK. Every java
 * command must print exactly the output the document shows; the plugin must have generated the
 * class (on JDK 17 it runs the generator in a JDK 21+ it finds).
 */
@org.junit.jupiter.api.Timeout(1200)
class GettingStartedTest {

    @Test
    void onJdk17() throws Exception {
        Path jdk = Sandbox.JDK17;
        assertTrue(Files.isRegularFile(jdk.resolve("bin/java")), "JDK 17 expected at " + jdk + " (apt-get install openjdk-17-jdk-headless)");
        runApp(jdk, "on17");
    }

    @Test
    void onTheNewestJdk() throws Exception {
        runApp(Sandbox.newestJdk(), "newest");
    }

    void runApp(Path jdk, String name) throws Exception {
        Sandbox s = Sandbox.installed();
        GettingStarted doc = GettingStarted.read();
        Path base = s.work.resolve(name);
        Sandbox.deleteTree(base);
        Files.createDirectories(base);
        Files.createSymbolicLink(base.resolve("cnnc"), s.work.resolve("cnnc")); // the checkout beside the application
        String out = s.bash(jdk, base, doc.appScript(), "the getting-started application on " + jdk);
        List<String> printed = new ArrayList<>();
        for (String block : (out + "\n").split(GettingStarted.END + "\n", -1)) {
            if (!block.isBlank()) {
                printed.add(block);
            }
        }
        assertEquals(2, printed.size(), "two runs print (class path, module path): " + out);
        for (String p : printed) {
            assertEquals(doc.output(), p, "what the application prints, against " + GettingStarted.document());
        }
        Path generated = base.resolve("hello-cnnc/target/generated-sources/cnnc/com/example/nets/Lenet5_T1.java");
        assertTrue(Files.isRegularFile(generated), generated.toString());
        String mavenLog = Files.readString(s.log);
        assertTrue(mavenLog.contains("cnnc: 1 inference class from 1 model"), Sandbox.tail(s.log, 40));
    }
}
