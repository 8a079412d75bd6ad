package cnnc.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A place outside the reactor where Maven runs as a user's would: {@code work/cnnc} is a copy of
 * this repository (sources only), {@code home/.m2/repository} a private local repository that the
 * tests install into (never the real {@code ~/.m2}, which other builds share; scripts run with
 * {@code HOME} set to {@code home}), and {@code bin/mvn} a wrapper that adds
 * {@code -Dmaven.repo.local} and a settings file whose only repository is this build's own local
 * repository as a {@code file://} mirror. Maven's output goes to a log, so a script's standard
 * output is what its programs print.
 */
final class Sandbox {

    static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    final Path root = Path.of(System.getProperty("cnnc.it.dir", "target/it")).toAbsolutePath().normalize();
    final Path work = root.resolve("work");
    final Path home = root.resolve("home");
    final Path m2 = home.resolve(".m2/repository"); // where the document's ~/.m2/repository points, with HOME set to home
    final Path log = root.resolve("maven.log");

    private static Sandbox installed;

    /** The sandbox after step 1 of the getting-started (the install), run once per JVM. */
    static synchronized Sandbox installed() throws Exception {
        if (installed == null) {
            Sandbox s = new Sandbox();
            s.prepare();
            s.bash(newestJdk(), s.work, GettingStarted.read().install(), "the getting-started install step");
            installed = s;
        }
        return installed;
    }

    private void prepare() throws IOException {
        deleteTree(work);
        Files.createDirectories(work);
        Files.deleteIfExists(log);
        Path repo = Path.of(System.getProperty("cnnc.root", "..")).toAbsolutePath().normalize();
        copySources(repo, work.resolve("cnnc"));
        Path m2home = Path.of(System.getProperty("cnnc.m2", System.getProperty("user.home") + "/.m2/repository"));
        Files.createDirectories(root.resolve("bin"));
        Files.writeString(root.resolve("settings.xml"), """
                <settings>
                  <mirrors>
                    <mirror><id>build-repository</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(m2home.toUri()));
        Path mvn = root.resolve("bin/mvn");
        Files.writeString(mvn, """
                #!/usr/bin/env bash
                echo "+ mvn $*  (in $PWD, JAVA_HOME=$JAVA_HOME)" >> '%s'
                exec /usr/bin/mvn "$@" -Dmaven.repo.local='%s' -s '%s' >> '%s' 2>&1
                """.formatted(log, m2, root.resolve("settings.xml"), log));
        mvn.toFile().setExecutable(true);
    }

    /**
     * Runs {@code script} with bash -e in {@code dir}, Maven and java of {@code jdk} first on the
     * PATH; returns its standard output, or fails with it and the tail of Maven's log.
     */
    String bash(Path jdk, Path dir, String script, String what) throws Exception {
        Files.createDirectories(dir);
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", jdk.toString());
        env.put("HOME", home.toString());
        env.put("PATH", root.resolve("bin") + ":" + jdk.resolve("bin") + ":" + env.get("PATH"));
        env.put("MAVEN_OPTS", "-Xmx768m");
        Path out = Files.createTempFile(root, "out", ".txt");
        pb.redirectOutput(out.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(what + ": timed out after 10 minutes");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail(what + " failed (exit " + p.exitValue() + ", Java at " + jdk + ")\n--- script\n" + script + "\n--- output\n" + stdout
                    + "\n--- maven log (tail)\n" + tail(log, 60));
        }
        return stdout;
    }

    static String tail(Path file, int lines) throws IOException {
        if (!Files.exists(file)) {
            return "(none)";
        }
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** The JDK running these tests: bin/test runs Maven on the newest JDK it finds, and surefire forks the same. */
    static Path newestJdk() {
        return Path.of(System.getProperty("java.home"));
    }

    /** Copies the repository without build output, VCS data or editor files. */
    private static void copySources(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(p -> !skipped(from.relativize(p))).toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(q);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean skipped(Path rel) {
        for (Path part : rel) {
            String n = part.toString();
            if (n.equals("target") || n.equals(".git") || n.equals(".idea") || n.equals("node_modules")) {
                return true;
            }
        }
        return false;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static List<String> lines(String text) {
        return new ArrayList<>(List.of(text.split("\n")));
    }
}
