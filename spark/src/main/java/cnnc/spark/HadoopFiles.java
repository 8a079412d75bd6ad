package cnnc.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Files named by URI on any file system Hadoop reads, or by a local path. */
public final class HadoopFiles {

    private HadoopFiles() {
    }

    /** Whether {@code spec} starts with a URI scheme ({@code hdfs:}, {@code file:}, {@code s3a:}); "C:" is no scheme. */
    public static boolean hasScheme(String spec) {
        int colon = spec.indexOf(':');
        return colon > 1 && spec.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
    }

    static FileSystem fileSystem(org.apache.hadoop.fs.Path p) throws IOException {
        return p.getFileSystem(new Configuration());
    }

    /** A local path as a {@code file:} URI. */
    static String uri(Path p) {
        return p.toAbsolutePath().toUri().toString();
    }

    /** The local file a {@code file:} URI names, or null for other file systems. */
    static Path localOrNull(String uri) {
        java.net.URI u = java.net.URI.create(uri);
        return "file".equals(u.getScheme()) ? Path.of(u) : null;
    }

    /** Copies a file of any file system to a new temporary file (the caller deletes it). */
    static Path copyToTemp(String uri, String suffix) throws IOException {
        Path tmp = Files.createTempFile("cnnc-data-", suffix);
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
            try (InputStream in = fileSystem(p).open(p)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(uri + ": " + e.getMessage(), e);
        }
    }

    /** An exception's message with a temporary copy's name replaced by the name the user knows. */
    static IOException renamed(IOException e, Path tmp, String name) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return new IOException(m.replace(tmp.toString(), name), e);
    }
}
