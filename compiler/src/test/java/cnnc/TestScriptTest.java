package cnnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/test} on a machine without the packages the tests need, with {@code dpkg}, {@code id},
 * {@code apt-get}, {@code mvn} and Python replaced by stubs that log their calls: as a user it names
 * every package and stops before running anything; as root it installs them, then runs the Java
 * and the Python tests.
 */
@Timeout(60)
class TestScriptTest {

    private static final Path ROOT = Path.of(System.getProperty("cnnc.root", ".."));
    private static final String PACKAGES = "graphviz pocl-opencl-icd ocl-icd-opencl-dev python3-torch libopenblas0-pthread openjdk-17-jdk-headless"
            + " libonnx-testdata";

    @TempDir
    Path stubs;

    private record Run(int code, String err, String log) {}

    private Run run(int uid) throws IOException, InterruptedException {
        Path log = stubs.resolve("log");
        Files.writeString(log, "");
        stub("dpkg", "exit 1");  // nothing installed
        stub("id", "echo " + uid);
        stub("apt-get", "echo \"apt-get $*\" >> " + log);
        stub("mvn", "echo \"mvn $*\" >> " + log);
        stub("python", "echo \"python $*\" >> " + log);
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("bin/test").toString());
        pb.environment().put("PATH", stubs + ":" + System.getenv("PATH"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("CNNC_PYTHON", stubs.resolve("python").toString());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS));
        return new Run(p.exitValue(), err, Files.readString(log));
    }

    private void stub(String name, String body) throws IOException {
        Path f = stubs.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        assertTrue(f.toFile().setExecutable(true));
    }

    @Test
    void asAUserItNamesThePackagesAndRunsNothing() throws Exception {
        Run r = run(1000);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("apt-get install " + PACKAGES), r.err());
        assertEquals("", r.log(), "ran something before stopping");
    }

    @Test
    void asRootItInstallsThemThenRunsJavaAndPythonTests() throws Exception {
        Run r = run(0);
        assertEquals(0, r.code(), r.err());
        String[] calls = r.log().strip().split("\n");
        assertEquals(4, calls.length, r.log());
        assertEquals("apt-get update -qq", calls[0]);
        assertEquals("apt-get install -y -qq " + PACKAGES, calls[1]);
        assertEquals("mvn -B verify", calls[2]);
        assertTrue(calls[3].startsWith("python -m unittest discover -s tools/reference/tests"), calls[3]);
        assertFalse(r.err().contains("not installed"), r.err());
    }
}
