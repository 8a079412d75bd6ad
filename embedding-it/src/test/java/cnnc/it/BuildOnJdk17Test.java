package cnnc.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Building cnnc itself with Maven on JDK 17 stops at once with one message saying what to do, not a stack trace. */
@org.junit.jupiter.api.Timeout(600)
class BuildOnJdk17Test {

    @Test
    void installOnJdk17SaysItNeedsJdk21() throws Exception {
        Sandbox s = Sandbox.installed();
        String out = s.bash(Sandbox.JDK17, s.work.resolve("cnnc"),
                "if mvn -B install -Dmaven.test.skip=true -pl maven-plugin -am; then echo built; else echo failed; fi", "mvn install on JDK 17");
        assertTrue(out.strip().equals("failed"), out);
        String log = Files.readString(s.log);
        String build = log.substring(log.lastIndexOf("+ mvn"));
        assertTrue(build.contains("Building cnnc needs a JDK 21 or newer (its compiler is Java 21), and Maven runs on Java 17"), build);
        assertTrue(build.contains("Run Maven with JAVA_HOME set to a JDK 21+"), build);
        assertFalse(build.contains("\tat ") || build.contains("    at ") || build.contains("TypeNotPresentException")
                || build.contains("UnsupportedClassVersionError"), "no stack trace: " + build);
        assertTrue(build.matches("(?s).*cnnc compiler \\.+ SKIPPED.*"), "stopped before compiling anything: " + build);
    }
}
