package cnnc.runtime.data;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the data for {@code --data} (docs/files.md). {@code --data DIR} is a directory holding
 * the four IDX files; {@code --data fashion-mnist} looks, in order, in
 * <ol>
 * <li>{@code $CNNC_DATA/fashion-mnist}, then {@code $CNNC_DATA} itself;</li>
 * <li>{@code /usr/share/datasets/fashion-mnist} (Debian package {@code dataset-fashion-mnist});</li>
 * <li>{@code samples/data} of the repository (a small subset), the repository being the first of:
 * system property {@code cnnc.root}, {@code $CNNC_HOME}, the working directory, or a directory
 * above the runtime's jar or classes that has {@code samples/data}.</li>
 * </ol>
 * File names are the standard ones ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}), each optionally with
 * {@code .gz}; a '.' instead of the second '-' ({@code train-images.idx3-ubyte}) is accepted too.
 */
public final class DataLocator {

    /** The {@code --data} value that means "find Fashion-MNIST". */
    public static final String FASHION_MNIST = "fashion-mnist";

    /** Where the Debian package installs the data set. */
    public static final Path DEBIAN_DIR = Paths.get("/usr/share/datasets/fashion-mnist");

    private static final String[] BASES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
    };

    private DataLocator() {
    }

    /** Locates data using the process environment. */
    public static DataFiles locate(String spec) throws IOException {
        List<Path> roots = new ArrayList<>();
        String prop = System.getProperty("cnnc.root");
        if (prop != null) {
            roots.add(Paths.get(prop));
        }
        String home = System.getenv("CNNC_HOME");
        if (home != null) {
            roots.add(Paths.get(home));
        }
        roots.add(Paths.get("").toAbsolutePath());
        Path code = codeLocation();
        for (Path p = code; p != null; p = p.getParent()) {
            roots.add(p);
        }
        return locate(spec, System.getenv("CNNC_DATA"), DEBIAN_DIR, roots);
    }

    /**
     * Locates data with explicit places to look (for tests).
     *
     * @param cnncData value of {@code $CNNC_DATA}, or null
     * @param debian   the system directory
     * @param repoRoots candidate repository roots, searched for {@code samples/data}
     * @throws IOException listing every place looked at and why it did not do
     */
    public static DataFiles locate(String spec, String cnncData, Path debian, List<Path> repoRoots) throws IOException {
        if (!FASHION_MNIST.equals(spec)) {
            Path dir = Paths.get(spec);
            List<String> why = new ArrayList<>();
            DataFiles f = in(dir, why);
            if (f == null) {
                throw new IOException("--data " + spec + ": " + why.get(0));
            }
            return f;
        }
        List<Path> dirs = new ArrayList<>();
        if (cnncData != null && !cnncData.isEmpty()) {
            dirs.add(Paths.get(cnncData, FASHION_MNIST));
            dirs.add(Paths.get(cnncData));
        }
        dirs.add(debian);
        for (Path r : repoRoots) {
            if (Files.isDirectory(r.resolve("samples/data"))) {
                dirs.add(r.resolve("samples/data"));
                break;
            }
        }
        List<String> why = new ArrayList<>();
        for (Path d : dirs) {
            DataFiles f = in(d, why);
            if (f != null) {
                return f;
            }
        }
        if (cnncData == null || cnncData.isEmpty()) {
            why.add(0, "$CNNC_DATA is not set");
        }
        throw new IOException("Fashion-MNIST not found: " + String.join("; ", why)
                + ". Install the Debian package dataset-fashion-mnist, set CNNC_DATA, or pass --data DIR"
                + " (a directory with the four IDX files).");
    }

    /** The four files in {@code dir}, or null after adding the reason to {@code why}. */
    private static DataFiles in(Path dir, List<String> why) {
        if (!Files.isDirectory(dir)) {
            why.add(dir + " is not a directory");
            return null;
        }
        Path[] found = new Path[BASES.length];
        for (int i = 0; i < BASES.length; i++) {
            found[i] = find(dir, BASES[i]);
            if (found[i] == null) {
                why.add(dir + " has no " + BASES[i] + "[.gz]");
                return null;
            }
        }
        return new DataFiles(dir, found[0], found[1], found[2], found[3]);
    }

    private static Path find(Path dir, String base) {
        String dotted = base.replaceFirst("-idx", ".idx");
        for (String name : new String[] {base, base + ".gz", dotted, dotted + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** The runtime's jar or classes directory, or null if unknown. */
    private static Path codeLocation() {
        try {
            java.security.CodeSource cs = DataLocator.class.getProtectionDomain().getCodeSource();
            return cs == null ? null : Paths.get(cs.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
