package cnnc.runtime;

/**
 * Element types of tensors, named as in safetensors. Networks use {@link #F32} for every float
 * buffer and {@link #I32} for max-pool path tensors; {@link #F64} exists for tests and tools
 * (finite-difference checks) that want double precision in files.
 */
public enum DType {
    F32(4),
    I32(4),
    F64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /**
     * The dtype of a safetensors name, or {@code null} when this runtime does not support it
     * (callers turn that into an error that names the file and tensor).
     */
    public static DType fromName(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
