package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * bin/cnnc and bin/cnnc-spark run their JVM with transparent huge pages exactly where the kernel
 * offers them ({@code always} or {@code madvise} in /sys/kernel/mm/transparent_hugepage/enabled), and
 * never with {@code CNNC_HUGE_PAGES=0} (bin/lib/jdk.sh's {@code huge_pages_opt}).
 */
@org.junit.jupiter.api.Timeout(60)
class HugePagesOptTest {

    private static String opt(String setting) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". bin/lib/jdk.sh && huge_pages_opt").directory(Cli.root().toFile());
        if (setting != null) {
            pb.environment().put("CNNC_HUGE_PAGES", setting);
        } else {
            pb.environment().remove("CNNC_HUGE_PAGES");
        }
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void followsTheKernelUnlessTurnedOff() throws IOException, InterruptedException {
        Path sys = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        String kernel = Files.isReadable(sys) ? Files.readString(sys) : "";
        boolean offered = kernel.contains("[always]") || kernel.contains("[madvise]");
        assertEquals(offered ? "-XX:+UseTransparentHugePages" : "", opt(null), "kernel setting: " + kernel);
        assertEquals(offered ? "-XX:+UseTransparentHugePages" : "", opt("1"));
        assertEquals("", opt("0"));
    }

    @Test
    void bothLaunchersUseIt() throws IOException {
        for (String script : new String[] {"bin/cnnc", "bin/cnnc-spark"}) {
            String text = Files.readString(Cli.root().resolve(script));
            assertEquals(true, text.contains("$(huge_pages_opt)"), script + " passes huge_pages_opt to its JVM");
        }
    }
}
