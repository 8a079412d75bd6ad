package cnnc.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the Spark session of a cnnc job: embedded ({@code local[N]}), on a cluster (any master
 * URL), or the one {@code spark-submit} prepared. Checks a master URL before Spark sees it, so a
 * typo or an unreachable standalone master is one clear message instead of a minute of retries.
 */
public final class SparkSessions {

    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?\\])?");
    private static final Pattern STANDALONE = Pattern.compile("spark://([^:/,]+):([0-9]{1,5})");

    private SparkSessions() {
    }

    /**
     * @param master null to use the one spark-submit set ({@code spark.master})
     * @throws IllegalArgumentException a bad or unreachable master URL, said for a user
     */
    public static SparkSession start(String master, String app, Map<String, String> conf) {
        if (master == null) {
            master = System.getProperty("spark.master");
            if (master == null) {
                throw new IllegalArgumentException("no Spark master: pass --spark local[*] (embedded), --spark spark://HOST:PORT,"
                        + " or run under spark-submit");
            }
        }
        check(master);
        Map<String, String> c = new LinkedHashMap<>();
        c.put("spark.ui.enabled", "false");
        c.put("spark.ui.showConsoleProgress", "false");
        c.put("spark.executor.memory", "1g");
        if (master.startsWith("local")) {
            // embedded: nothing listens beyond this machine's loopback
            c.put("spark.driver.host", "127.0.0.1");
            c.put("spark.driver.bindAddress", "127.0.0.1");
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            // the shipped class uses Vector API kernels when the driver compiled it with them
            String given = System.getProperty("spark.executor.extraJavaOptions", "");
            c.put("spark.executor.extraJavaOptions", given.contains("jdk.incubator.vector") ? given
                    : (given + " --add-modules=jdk.incubator.vector").strip());
        }
        // under spark-submit its settings (system properties spark.*) are the user's: ours are only defaults
        c.keySet().removeIf(k -> !k.equals("spark.executor.extraJavaOptions") && System.getProperty(k) != null);
        c.putAll(conf);
        SparkSession.Builder b = SparkSession.builder().master(master).appName(app);
        c.forEach(b::config);
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    /** A URL Spark knows; a standalone master must accept a connection within 5 seconds. */
    static void check(String master) {
        if (LOCAL.matcher(master).matches() || master.equals("yarn") || master.startsWith("k8s://")) {
            return;
        }
        if (master.startsWith("spark://")) {
            for (String hostPort : master.substring("spark://".length()).split(",")) {
                Matcher m = STANDALONE.matcher("spark://" + hostPort);
                if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
                    throw new IllegalArgumentException("bad Spark master URL '" + master + "': expected spark://HOST:PORT");
                }
                reachable(master, m.group(1), Integer.parseInt(m.group(2)));
            }
            return;
        }
        throw new IllegalArgumentException("bad Spark master URL '" + master
                + "': expected local, local[N], local[*], spark://HOST:PORT, yarn or k8s://URL");
    }

    private static void reachable(String master, String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot reach the Spark master " + master + " (" + host + ":" + port + "): "
                    + e.getMessage() + ". Is the master running and the address right?");
        }
    }
}
