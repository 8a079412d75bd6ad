package cnnc.runtime.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * An image folder as torchvision's {@code ImageFolder} lays it out: {@code DIR/train/<class>/*.png}
 * (and {@code .jpg}, {@code .jpeg}, {@code .bmp}, {@code .gif}, in any case; subfolders of a class
 * folder count) and, optionally, {@code DIR/test/<class>/...}. Class indices follow the sorted
 * class folder names of {@code train/}; within a class, images follow their sorted relative paths.
 * Names starting with '.' are ignored.
 *
 * <p>Refused, naming the place: no class folder, an empty class folder, a class of {@code test/}
 * that {@code train/} lacks, a file directly in {@code train/}, and a file without an image
 * extension (unless {@code skipBad}: then it is left out and counted).
 */
public final class ImageFolder {

    /** One image file with its class and what the cache key needs. */
    public record Entry(Path file, String relative, int label, long size, long modified) {}

    /** One split ({@code train} or {@code test}): its entries and the files left out. */
    public record Split(String name, List<Entry> entries, List<String> skipped) {}

    private final Path dir;
    private final List<String> classes;
    private final Split train;
    private final Split test;

    private ImageFolder(Path dir, List<String> classes, Split train, Split test) {
        this.dir = dir;
        this.classes = classes;
        this.train = train;
        this.test = test;
    }

    /** Whether {@code dir} looks like an image folder: it has a {@code train/} folder. */
    public static boolean looksLike(Path dir) {
        return Files.isDirectory(dir.resolve("train"));
    }

    /**
     * Lists the folder.
     *
     * @throws IOException naming the folder or file that is wrong
     */
    public static ImageFolder scan(Path dir, boolean skipBad) throws IOException {
        Path trainDir = dir.resolve("train");
        if (!Files.isDirectory(trainDir)) {
            throw new IOException(dir + ": no train/ folder (an image folder is DIR/train/<class>/*.png, DIR/test/<class>/...)");
        }
        List<String> classes = classFolders(trainDir);
        if (classes.isEmpty()) {
            throw new IOException(trainDir + ": no class folders (expected train/<class>/<image files>)");
        }
        Split train = split("train", trainDir, classes, skipBad);
        Path testDir = dir.resolve("test");
        Split test = null;
        if (Files.isDirectory(testDir)) {
            for (String c : classFolders(testDir)) {
                if (!classes.contains(c)) {
                    throw new IOException(testDir.resolve(c) + ": class '" + c + "' is in test/ but not in train/ (train/ has "
                            + String.join(", ", classes) + ")");
                }
            }
            test = split("test", testDir, classes, skipBad);
        }
        return new ImageFolder(dir, Collections.unmodifiableList(classes), train, test);
    }

    private static List<String> classFolders(Path split) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(split)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".")) {
                    continue;
                }
                if (!Files.isDirectory(p)) {
                    throw new IOException(p + ": a file directly in " + split.getFileName() + "/; images belong in class folders ("
                            + split.getFileName() + "/<class>/" + n + ")");
                }
                names.add(n);
            }
        }
        Collections.sort(names);
        return names;
    }

    private static Split split(String name, Path splitDir, List<String> classes, boolean skipBad) throws IOException {
        List<Entry> entries = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            Path classDir = splitDir.resolve(classes.get(label));
            if (!Files.isDirectory(classDir)) {
                continue; // a class without test images
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(classDir)) {
                files = s.filter(p -> !hidden(classDir, p) && Files.isRegularFile(p)).toList();
            }
            List<String> rel = new ArrayList<>();
            for (Path f : files) {
                rel.add(classDir.relativize(f).toString());
            }
            Collections.sort(rel);
            int before = entries.size();
            for (String r : rel) {
                Path f = classDir.resolve(r);
                if (!Images.hasImageExtension(f)) {
                    if (skipBad) {
                        skipped.add(f + ": not an image file");
                        continue;
                    }
                    throw new IOException(f + ": not an image file (an image folder holds " + String.join(", ", Images.EXTENSIONS)
                            + " files; --skip-bad leaves such files out)");
                }
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                entries.add(new Entry(f, classes.get(label) + "/" + r, label, a.size(), a.lastModifiedTime().toMillis()));
            }
            if (entries.size() == before) {
                throw new IOException(classDir + ": empty class folder (no " + String.join(", ", Images.EXTENSIONS)
                        + " files); remove it or add images");
            }
        }
        return new Split(name, Collections.unmodifiableList(entries), skipped);
    }

    private static boolean hidden(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    public Path dir() {
        return dir;
    }

    /** The class names, sorted: index i is class i. */
    public List<String> classes() {
        return classes;
    }

    public Split train() {
        return train;
    }

    /** The test split, or null without a {@code test/} folder. */
    public Split test() {
        return test;
    }
}
