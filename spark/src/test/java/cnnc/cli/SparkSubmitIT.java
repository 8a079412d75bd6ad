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

/**
 * What {@code spark-submit --class cnnc.cli.SparkMain cnnc-spark.jar train ...} runs: Spark's own
 * {@code org.apache.spark.deploy.SparkSubmit} in a separate JVM whose class path holds Spark's jars
 * only (none of cnnc's classes or of the libraries cnnc-spark.jar bundles), with the packaged jar
 * as the application jar, on {@code --master local[2]} and on a standalone Master and Worker
 * (started here from Spark's jars alone, so the executor gets cnnc only from the application jar);
 * both checkpoints equal the embedded run's bit for bit. It runs in Maven's integration-test phase ({@code mvn verify}, as
 * {@code bin/test} runs), after the shade plugin has written the jar; surefire's
 * {@code spark-submit} execution in spark/pom.xml sets {@code cnnc.spark.jar}.
 */
@EnabledIfSystemProperty(named = "cnnc.spark.jar", matches = ".+",
        disabledReason = "runs in the integration-test phase (mvn verify), on the packaged spark/target/cnnc-spark.jar")
@org.junit.jupiter.api.Timeout(600)
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
    void sparkSubmitTrainsTheEmbeddedRunsBits() throws Exception {
        // logs and work directories stay in target/ for a look after a failure
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("cnnc.root", ".")).resolve("spark/target")),
                "spark-submit-it-");
        Path jar = Path.of(System.getProperty("cnnc.spark.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " is not there: package the module first (mvn -pl spark -am verify)");
        Path folder = dir.resolve("shapes");
        ImageData.writeShapes(folder, "train", 24, 1);
        ImageData.writeShapes(folder, "test", 4, 2);
        String model = ImageData.model(dir, 3, 3, 16).toString();
        List<String> train = List.of("train", model, "--data", folder.toUri().toString(), "--partitions", "2", "--epochs", "1");

        Path embedded = dir.resolve("embedded.safetensors");
        List<String> args = new ArrayList<>(train);
        args.addAll(List.of("--spark", "local[2]", "--save", embedded.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, SparkMain.run(args.toArray(new String[0]), new PrintWriter(out), new PrintWriter(err)), err.toString());
        TensorFile want = Safetensors.read(embedded);

        Path home = Files.createDirectories(dir.resolve("spark-home/jars")).getParent();
        Path local = dir.resolve("local.safetensors");
        submit(dir, home, "local", jar, train, List.of("--master", "local[2]"), local);
        assertSameWeights(want, Safetensors.read(local), "spark-submit --master local[2]");

        // a standalone Master and Worker of Spark's jars only: the executor gets cnnc from the application jar
        int port = freePort();
        List<Process> cluster = new ArrayList<>();
        try {
            String sparkCp = sparkClassPath();
            cluster.add(launch(dir, home, "master", sparkCp, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    Integer.toString(port), "--webui-port", Integer.toString(freePort())));
            String master = "spark://127.0.0.1:" + port;
            waitFor(dir.resolve("master.log"), "I have been elected leader");
            cluster.add(launch(dir, home, "worker", sparkCp, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores",
                    "2", "--memory", "768m", "--webui-port", Integer.toString(freePort()), "--work-dir",
                    Files.createDirectories(dir.resolve("work")).toString(), master));
            waitFor(dir.resolve("master.log"), "Registering worker");
            Path onCluster = dir.resolve("cluster.safetensors");
            submit(dir, home, "cluster", jar, train, List.of("--master", master, "--conf", "spark.executor.memory=512m",
                    "--conf", "spark.cores.max=2", "--conf", "spark.executor.extraClassPath=" + sparkCp,
                    "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                    "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=60s"), onCluster);
            assertSameWeights(want, Safetensors.read(onCluster), "spark-submit to a standalone cluster");
        } finally {
            for (Process p : cluster) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs {@code SparkSubmit OPTIONS --class cnnc.cli.SparkMain JAR TRAIN --save OUT} in its own JVM; it must succeed. */
    static void submit(Path dir, Path home, String name, Path jar, List<String> train, List<String> options, Path save)
            throws Exception {
        List<String> cmd = java("-Xmx768m");
        cmd.addAll(List.of("-cp", sparkClassPath(), "org.apache.spark.deploy.SparkSubmit"));
        cmd.addAll(options);
        cmd.addAll(List.of("--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1", "--conf",
                "spark.driver.bindAddress=127.0.0.1", "--class", "cnnc.cli.SparkMain", jar.toString()));
        cmd.addAll(train); // no --spark: the master is spark-submit's
        cmd.addAll(List.of("--save", save.toString()));
        Path log = dir.resolve("spark-submit-" + name + ".log");
        Process p = environment(new ProcessBuilder(cmd), home).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "spark-submit did not end in 300 s: " + tail(log));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), tail(log));
        String output = Files.readString(log);
        assertTrue(output.contains("trained tiny on Spark: 1 epoch"), tail(log));
        assertTrue(output.contains("on Spark " + options.get(1)), "the master is spark-submit's: " + tail(log));
    }

    /** A Spark daemon of Spark's jars only, under {@code timeout} so it ends even if this JVM dies. */
    static Process launch(Path dir, Path home, String name, String cp, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("timeout", "400"));
        cmd.addAll(java("-Xmx256m"));
        cmd.addAll(List.of("-cp", cp, main));
        cmd.addAll(Arrays.asList(args));
        return environment(new ProcessBuilder(cmd), home).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    static List<String> java(String heap) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap));
        cmd.addAll(Arrays.asList(System.getProperty("cnnc.spark.jvmOptions", "").trim().split("\\s+")));
        return cmd;
    }

    /** Waits (up to 120 s) until a daemon's log says {@code what}. */
    static void waitFor(Path log, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(what)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(log.getFileName() + " never said '" + what + "': " + tail(log));
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static ProcessBuilder environment(ProcessBuilder pb, Path home) {
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_MASTER_HOST", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("SPARK_CONF_DIR");
        pb.environment().remove("SPARK_DIST_CLASSPATH");
        return pb;
    }

    static void assertSameWeights(TensorFile a, TensorFile b, String what) {
        assertEquals(a.names(), b.names(), what);
        for (String name : a.names()) {
            assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name + ": " + what + " and the embedded run differ");
        }
        assertEquals(a.metadata().get("input.mean"), b.metadata().get("input.mean"), what);
    }

    private static String tail(Path log) throws IOException {
        String s = Files.exists(log) ? Files.readString(log) : "(no output)";
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
