package cnnc.runtime.io;

import java.nio.file.Path;

/**
 * A safetensors file that cannot be read, written, or loaded into a network. The message starts
 * with the file name and names the tensor and shapes involved, fit to show a user as is.
 */
public class SafetensorsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public SafetensorsException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public SafetensorsException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file the problem is in. */
    public Path file() {
        return file;
    }
}
