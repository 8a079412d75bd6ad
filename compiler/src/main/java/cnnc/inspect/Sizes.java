package cnnc.inspect;

import java.util.Locale;

/** Human-readable byte counts and thousands separators for tables. */
public final class Sizes {

    private Sizes() {}

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
