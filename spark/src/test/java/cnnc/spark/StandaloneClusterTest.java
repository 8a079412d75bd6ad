package cnnc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.optim.Optimizer;
import cnnc.runtime.optim.Schedule;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real standalone cluster: a Master and two Workers (one core each) as separate JVMs on
 * 127.0.0.1 only, each under {@code timeout} so it stops by itself even if this JVM dies. A job
 * submitted to them trains to the same bits as the embedded run; killing one worker (and its
 * executor) in the middle of the epoch makes Spark rerun its tasks, and training still ends with
 * the same bits.
 */
@org.junit.jupiter.api.Timeout(1200)
class StandaloneClusterTest {

    static final int BATCH = 128;
    static final int P = 4;
    static final int LIFETIME_S = 900;

    /** Logs and work directories stay in target/ for a look after a failure. */
    static Path dir;
    static final List<Process> started = new ArrayList<>();
    static String master;
    static Process worker1;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory(Files.createDirectories(Fixtures.ROOT.resolve("spark/target")), "cluster-test-");
        Path home = Files.createDirectories(dir.resolve("spark-home/jars"));
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        started.add(launch("master", "org.apache.spark.deploy.master.Master", home, "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--webui-port", Integer.toString(freePort())));
        waitForPort(port);
        for (int w = 1; w <= 2; w++) {
            Process p = launch("worker" + w, "org.apache.spark.deploy.worker.Worker", home, "--host", "127.0.0.1", "--cores", "1",
                    "--memory", "768m", "--webui-port", Integer.toString(freePort()), "--work-dir",
                    Files.createDirectories(dir.resolve("work" + w)).toString(), master);
            started.add(p);
            if (w == 1) {
                worker1 = p;
            }
        }
    }

    /** {@code timeout LIFETIME_S java <Spark's module options> -cp <this class path> MAIN ARGS}, loopback only. */
    static Process launch(String name, String main, Path home, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("timeout", Integer.toString(LIFETIME_S),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        cmd.addAll(Arrays.asList(System.getProperty("cnnc.spark.jvmOptions", "").trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.getParent().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13"); // the launcher looks for build directories otherwise
        pb.environment().put("SPARK_MASTER_HOST", "127.0.0.1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("SPARK_CONF_DIR");
        return pb.start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static void waitForPort(int port) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the master did not listen on " + port + ": " + Files.readString(dir.resolve("master.log")));
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static List<float[]> train(String url, Map<String, String> conf, SparkTrainer.StepListener listener) {
        Model share = Fixtures.model("lenet5", BATCH / P, true);
        ShippedNetwork shipped = Fixtures.ship(share);
        Network net = shipped.instantiate();
        Optimizer opt = Fixtures.optimizer(share, net);
        SparkSession s = SparkSessions.start(url, "cnnc cluster test", conf);
        try {
            new SparkTrainer(Fixtures.context(s), shipped, net, opt, Fixtures.samples(), 10, P).epochs(1).seed(1)
                    .schedule(Schedule.of(share.train().schedule())).listener(listener).train();
        } finally {
            s.stop();
        }
        return Fixtures.weights(net);
    }

    static Map<String, String> clusterConf() {
        return Map.of("spark.executor.memory", "512m", "spark.cores.max", "2", "spark.driver.host", "127.0.0.1",
                "spark.driver.bindAddress", "127.0.0.1", "spark.executor.extraClassPath", System.getProperty("java.class.path"),
                "spark.scheduler.minRegisteredResourcesRatio", "1.0", "spark.scheduler.maxRegisteredResourcesWaitingTime", "60s");
    }

    @Test
    void clusterTrainsToTheEmbeddedBitsEvenWhenAWorkerDies() {
        List<float[]> embedded = train("local[2]", Map.of("spark.executor.memory", "512m"), (e, s, n) -> { });
        List<float[]> cluster = train(master, clusterConf(), (e, s, n) -> { });
        assertTrue(Fixtures.bitEqual(embedded, cluster), "the standalone cluster's weights differ from the embedded run's");

        int[] killedAt = {-1};
        List<float[]> survived = train(master, clusterConf(), (e, s, n) -> {
            if (s == 6) {
                worker1.descendants().forEach(ProcessHandle::destroyForcibly);
                worker1.destroyForcibly();
                killedAt[0] = s;
            }
        });
        assertEquals(6, killedAt[0]);
        assertTrue(!worker1.isAlive(), "worker 1 was killed");
        assertTrue(Fixtures.bitEqual(embedded, survived), "training after a lost worker ended with other weights");
    }
}
