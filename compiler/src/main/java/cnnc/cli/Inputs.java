package cnnc.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files a command reads, so that none of its outputs lands on one of them: {@code cnnc dump
 * m.cnn -o m.cnn} or {@code cnnc train m.cnn --save m.cnn} is refused with one sentence and exit 1,
 * as a C compiler refuses {@code cc m.c -o m.c}. Two paths are the same file when
 * {@link Files#isSameFile} says so (symbolic links, {@code ./m.cnn} and {@code m.cnn}, hard links).
 */
final class Inputs {

    private final Map<Path, String> files = new LinkedHashMap<>();
    private final Map<Path, String> dirs = new LinkedHashMap<>();

    /** An input file, described for messages (e.g. "the model"). Null paths are ignored. */
    Inputs file(String what, Path path) {
        if (path != null) {
            files.put(path, what);
        }
        return this;
    }

    /** A directory read as a whole (a data folder): no output may be written inside it. */
    Inputs dir(String what, Path path) {
        if (path != null && Files.isDirectory(path)) {
            dirs.put(path, what);
        }
        return this;
    }

    /** Refuses {@code out} (given as {@code flag}) if it is one of the inputs or lies inside an input folder. */
    void check(String flag, Path out) {
        if (out == null) {
            return;
        }
        for (Map.Entry<Path, String> in : files.entrySet()) {
            if (same(out, in.getKey())) {
                throw new UserError(flag + " " + out + " is " + in.getValue() + " this command reads (" + in.getKey()
                        + "); refusing to write over an input. Choose another file.");
            }
        }
        Path abs = out.toAbsolutePath().normalize();
        for (Map.Entry<Path, String> d : dirs.entrySet()) {
            Path dir = real(d.getKey());
            if (real(abs).startsWith(dir)) {
                throw new UserError(flag + " " + out + " lies inside " + d.getValue() + " " + d.getKey()
                        + ", which this command reads; refusing to write into an input. Choose a place outside it.");
            }
        }
    }

    /** As {@link #check} for each file a command writes into {@code dir}. */
    void checkDir(String flag, Path dir, String... names) {
        if (dir == null) {
            return;
        }
        check(flag, dir);
        for (String n : names) {
            check(flag, dir.resolve(n));
        }
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /** The real path of the longest existing prefix, plus the rest: an output need not exist yet. */
    private static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            return abs;
        }
    }
}
