package cnnc.backend.java;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The vector register file that the Vector API kernels' register tiles are sized for ({@link ConvTiles}).
 * A tile's accumulators, with the vectors it loads and a broadcast, must fit it, or C2 spills them to the
 * stack on every fma: on x86 with AVX-512 there are 32 (ymm0-ymm31 through the EVEX encoding), with AVX2
 * alone 16 (ymm0-ymm15), on AArch64 32 (v0-v31).
 *
 * <p>Why it matters: on an AVX2 machine (AMD Zen 3) the 3x8 tile of 24 accumulators that suits AVX-512
 * compiled to a loop that stored and reloaded an accumulator around nearly every fma; tiles that fit 16
 * registers took LeNet-5's training step there to 0.90 of its time (docs/performance.md, "Stop 23").
 *
 * <p>Read from the {@code flags} line of {@code /proc/cpuinfo} ({@code avx512f} and {@code avx512vl}): a
 * millisecond, where asking the JVM for its {@code UseAVX} through its management bean costs 40-80 ms of a
 * cold compile. Where that file is missing (not Linux) an x86 JVM is taken to have 16, any other 32. The
 * system property {@code cnnc.vector.registers} (16 or 32; the commands' {@code --vector-registers})
 * forces the count: for classes generated here to run on another machine, and for the goldens, which
 * are pinned to 32.
 */
public final class VectorRegisters {

    /** The register count and where it came from, for {@code cnnc check}. */
    public record File(int count, String source) {
        @Override
        public String toString() {
            return count + " vector registers (" + source + ")";
        }
    }

    /** The system property that forces the count. */
    public static final String PROPERTY = "cnnc.vector.registers";

    private static final Pattern FLAGS = Pattern.compile("(?m)^flags\\s*:(.*)$");

    /** This machine's file, read once. */
    private static volatile File detected;

    private VectorRegisters() {}

    /** The register file tiles are sized for now: the forced one, else this machine's. */
    public static File current() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return new File(parse(forced), "forced by " + PROPERTY);
        }
        File d = detected;
        if (d == null) {
            d = detect();
            detected = d;
        }
        return d;
    }

    /** The count of a {@link #PROPERTY} value: 16 or 32, or an error that says so. */
    public static int parse(String value) {
        return switch (value.trim()) {
            case "16" -> 16;
            case "32" -> 32;
            default -> throw new IllegalArgumentException("the vector register count must be 16 (x86 with AVX2) or 32"
                    + " (AVX-512, AArch64), found '" + value.trim() + "'");
        };
    }

    private static File detect() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (!x86) {
            return new File(32, arch + ": 32 vector registers");
        }
        try {
            return fromCpuinfo(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return new File(16, "x86, /proc/cpuinfo unreadable: AVX2's 16 assumed");
        }
    }

    /** The file of an x86 machine from the text of its {@code /proc/cpuinfo}: 32 with AVX-512 (F and VL), else 16. */
    static File fromCpuinfo(String cpuinfo) {
        var m = FLAGS.matcher(cpuinfo);
        if (!m.find()) {
            return new File(16, "x86, no flags in /proc/cpuinfo: AVX2's 16 assumed");
        }
        List<String> flags = List.of(m.group(1).trim().split("\\s+"));
        return flags.contains("avx512f") && flags.contains("avx512vl") ? new File(32, "x86 with AVX-512")
                : new File(16, "x86 without AVX-512");
    }
}
