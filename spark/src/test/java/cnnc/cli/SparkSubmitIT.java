package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.TensorFile;
import cnnc.spark.ImageData;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code spark-submit --class cnnc.cli.SparkMain cnnc-spark.jar train ...} runs: Spark's own
 * {@code org.apache.spark.deploy.SparkSubmit} in a separate JVM whose class path holds Spark's jars
 * only (none of cnnc's classes or of the libraries cnnc-spark.jar bundles), with the packaged jar
 * as the application jar. It runs in Maven's integration-test phase ({@code mvn verify}, as
 * {@code bin/test} runs), after the shade plugin has written the jar; surefire's
 * {@code spark-submit} execution in spark/pom.xml sets {@code cnnc.spark.jar}.
 */
@org.junit.jupiter.api.Timeout(600)
@EnabledIfSystemProperty(named = "cnnc.spark.jar", matches = ".+",
        disabledReason = "runs in the integration-test phase (mvn verify), on the packaged spark/target/cnnc-spark.jar")
class SparkSubmitIT {

    /**
     * Jars of the test class path that a Spark installation does not have: cnnc's modules, the
     * libraries cnnc-spark.jar bundles for cnnc alone (picocli, JavaPoet, Janino, JOCL), and the test
     * harness. ANTLR's runtime stays: Spark SQL ships it too.
     */
    static final Pattern NOT_SPARK = Pattern.compile(
            "^(cnnc-|picocli-|javapoet-|janino-|commons-compiler-|jocl-|jazzer|junit-|opentest4j-|apiguardian-|surefire-|common-java5-|common-junit).*");

    static String sparkClassPath() {
        List<String> jars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (name.endsWith(".jar") && !NOT_SPARK.matcher(name).matches()) {
                jars.add(e);
            }
        }
        return String.join(File.pathSeparator, jars);
    }

    @Test
    void sparkSubmitTrainsTheEmbeddedRunsBits(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("cnnc.spark.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " is not there: package the module first (mvn -pl spark -am verify)");
        Path folder = dir.resolve("shapes");
        ImageData.writeShapes(folder, "train", 24, 1);
        ImageData.writeShapes(folder, "test", 4, 2);
        String model = ImageData.model(dir, 3, 3, 16).toString();
        List<String> train = List.of("train", model, "--data", folder.toString(), "--partitions", "2", "--epochs", "1");

        Path embedded = dir.resolve("embedded.safetensors");
        List<String> args = new ArrayList<>(train);
        args.addAll(List.of("--spark", "local[2]", "--save", embedded.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, SparkMain.run(args.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err)), err.toString());

        Path submitted = dir.resolve("submitted.safetensors");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m"));
        cmd.addAll(Arrays.asList(System.getProperty("cnnc.spark.jvmOptions", "").trim().split("\\s+")));
        cmd.addAll(List.of("-cp", sparkClassPath(), "org.apache.spark.deploy.SparkSubmit", "--master", "local[2]",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
                "--class", "cnnc.cli.SparkMain", jar.toString()));
        cmd.addAll(train); // no --spark: the master is spark-submit's
        cmd.addAll(List.of("--save", submitted.toString()));
        Path log = dir.resolve("spark-submit.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Path home = Files.createDirectories(dir.resolve("spark-home/jars")).getParent();
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().remove("SPARK_CONF_DIR");
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "spark-submit did not end in 300 s: " + tail(log));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), tail(log));
        assertTrue(output.contains("trained tiny on Spark: 1 epoch"), tail(log));
        assertTrue(output.contains("on Spark local[2]"), "the master was spark-submit's: " + tail(log));

        TensorFile a = Safetensors.read(embedded);
        TensorFile b = Safetensors.read(submitted);
        assertEquals(a.names(), b.names());
        for (String name : a.names()) {
            assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name + ": spark-submit and the embedded run differ");
        }
        assertEquals(a.metadata().get("input.mean"), b.metadata().get("input.mean"));
    }

    private static String tail(Path log) throws IOException {
        String s = Files.exists(log) ? Files.readString(log) : "(no output)";
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
