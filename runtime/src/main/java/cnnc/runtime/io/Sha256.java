package cnnc.runtime.io;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as 64 lowercase hex digits: the keys of caches and manifests, and graph hashes. */
public final class Sha256 {

    private Sha256() {
    }

    /** The SHA-256 of {@code bytes}, in lowercase hex. */
    public static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
