package cnnc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No test can hang the build: every test class of every module carries a JUnit {@code @Timeout}
 * sized to it, and Surefire kills a test JVM that outlives its module's limit or does not exit.
 */
@Timeout(30)
class TimeoutsTest {

    private static final Path ROOT = Path.of(System.getProperty("cnnc.root", ".."));
    private static final Pattern TESTS = Pattern.compile("@(Test|ParameterizedTest|FuzzTest|RepeatedTest|TestFactory)\\b");
    private static final Pattern CLASS_TIMEOUT = Pattern.compile(
            "(?m)^@(org\\.junit\\.jupiter\\.api\\.)?Timeout\\(\\d+\\)\\s*\\n(\\s*//[^\\n]*\\n)*(public |final |abstract )*class ");

    @Test
    void everyTestClassHasATimeout() throws IOException {
        List<Path> classes;
        try (Stream<Path> s = Files.walk(ROOT)) {
            classes = s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/test/java/"))
                    .filter(p -> !p.toString().contains("/target/")).toList();
        }
        int withTests = 0;
        for (Path c : classes) {
            String text = Files.readString(c);
            if (TESTS.matcher(text.replaceAll("(?s)/\\*.*?\\*/", "")).find()) {
                withTests++;
                assertTrue(CLASS_TIMEOUT.matcher(text).find(), ROOT.relativize(c) + ": a test class without @Timeout(seconds)");
            }
        }
        assertTrue(withTests > 50, "found only " + withTests + " test classes under " + ROOT.toAbsolutePath());
    }

    @Test
    void surefireKillsAHungTestJvm() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        assertTrue(pom.contains("<forkedProcessTimeoutInSeconds>${surefire.timeout}</forkedProcessTimeoutInSeconds>"), "pom.xml");
        assertTrue(pom.contains("<forkedProcessExitTimeoutInSeconds>${surefire.exitTimeout}</forkedProcessExitTimeoutInSeconds>"), "pom.xml");
        assertTrue(Pattern.compile("<surefire.timeout>[1-9]\\d*</surefire.timeout>").matcher(pom).find(), "a positive default limit");
    }
}
