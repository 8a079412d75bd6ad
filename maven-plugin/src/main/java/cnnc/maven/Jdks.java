package cnnc.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a JDK that can run the generator. The compiler is Java 21 (and uses it throughout), while
 * Maven often runs on Java 17, so the plugin runs the generator in a separate JVM: the first of the
 * places {@link GenerateMojo} offers that holds a Java 21 or newer. Each place tried is remembered,
 * with what was found there, so that the error when none fits can say exactly where it looked.
 */
final class Jdks {

    /** The oldest Java the compiler runs on. */
    static final int NEEDED = 21;

    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(1\\.)?(\\d+)", Pattern.MULTILINE);

    private final List<String> looked = new ArrayList<>();

    /** A JDK home and its feature version. */
    record Jdk(Path home, int version) {
        Path java() {
            Path unix = home.resolve("bin/java");
            return Files.isRegularFile(unix) ? unix : home.resolve("bin/java.exe");
        }
    }

    /**
     * The JDK at {@code home} if it is Java {@link #NEEDED} or newer; otherwise notes {@code where}
     * and what was found, and returns empty.
     */
    Optional<Jdk> at(String where, Path home) {
        if (home == null) {
            looked.add(where + ": not set");
            return Optional.empty();
        }
        int v = version(home);
        Jdk jdk = new Jdk(home, v);
        if (v < 0) {
            looked.add(where + ": " + home + " (no JDK there: no bin/java and release file)");
        } else if (v < NEEDED) {
            looked.add(where + ": " + home + " (Java " + v + ")");
        } else if (!Files.isRegularFile(jdk.java())) {
            looked.add(where + ": " + home + " (Java " + v + " but no bin/java)");
        } else {
            return Optional.of(jdk);
        }
        return Optional.empty();
    }

    /** The newest JDK {@link #NEEDED}+ among the directories in each of {@code parents} (e.g. {@code /usr/lib/jvm/*}). */
    Optional<Jdk> newestIn(List<Path> parents) {
        Jdk best = null;
        List<String> seen = new ArrayList<>();
        for (Path parent : parents) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent)) {
                for (Path d : dirs) {
                    Path home = Files.isDirectory(d.resolve("Contents/Home")) ? d.resolve("Contents/Home") : d; // macOS bundles
                    int v = version(home);
                    if (v < 0 || Files.isSymbolicLink(d)) {
                        continue; // e.g. /usr/lib/jvm/default-java, a link to one listed anyway
                    }
                    seen.add(home.getFileName() + " (Java " + v + ")");
                    if (v >= NEEDED && Files.isRegularFile(new Jdk(home, v).java()) && (best == null || v > best.version())) {
                        best = new Jdk(home, v);
                    }
                }
            } catch (IOException e) {
                seen.add(parent + " unreadable: " + e.getMessage());
            }
        }
        if (best == null) {
            List<String> dirs = parents.stream().map(Path::toString).toList();
            looked.add("the JDKs installed in " + String.join(", ", dirs) + ": "
                    + (seen.isEmpty() ? "none" : String.join(", ", seen)));
        }
        return Optional.ofNullable(best);
    }

    /** Notes a place tried without a home to show (a toolchain query that matched nothing). */
    void note(String where) {
        looked.add(where);
    }

    /** Every place tried, one per line, in order. */
    List<String> looked() {
        return List.copyOf(looked);
    }

    /**
     * The feature version of the JDK at {@code home}, from its {@code release} file
     * ({@code JAVA_VERSION="21.0.2"}, or {@code "1.8.0_392"} for 8); -1 if there is none.
     */
    static int version(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release"), StandardCharsets.UTF_8));
            return m.find() ? Integer.parseInt(m.group(2)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Where JDKs are usually installed on Linux, macOS, Windows and by SDKMAN or IntelliJ. */
    static List<Path> installDirectories(String userHome) {
        List<Path> out = new ArrayList<>(List.of(Path.of("/usr/lib/jvm"), Path.of("/usr/java"), Path.of("/opt/java"),
                Path.of("/Library/Java/JavaVirtualMachines")));
        if (userHome != null) {
            out.add(Path.of(userHome, ".sdkman/candidates/java"));
            out.add(Path.of(userHome, ".jdks"));
        }
        String programFiles = System.getenv("ProgramFiles");
        if (programFiles != null) {
            for (String vendor : new String[] {"Java", "Eclipse Adoptium", "Microsoft", "Zulu", "Amazon Corretto"}) {
                out.add(Path.of(programFiles, vendor));
            }
        }
        return out;
    }
}
