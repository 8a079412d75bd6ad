package cnnc.cli;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.ir.GraphHash;
import cnnc.ir.Model;
import cnnc.spark.IdxSource;
import cnnc.spark.ShippedNetwork;
import cnnc.spark.SparkSessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** What the Spark commands share: the master, the partitions, extra Spark settings, the data. */
public final class SparkArgs {

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "local[*] or local[N] (embedded Spark), spark://HOST:PORT or any master URL; under spark-submit, its master.")
    String master;

    @Option(names = "--partitions", paramLabel = "P",
            description = "Fixed partitions of the data (default 2); the result depends on P, not on the executors.")
    int partitions = 2;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting, e.g. spark.executor.memory=1g (repeatable).")
    List<String> conf = List.of();

    @Option(names = "--data", paramLabel = "fashion-mnist|DIR|URI",
            description = "fashion-mnist (found as cnnc train finds it), a directory, or a directory URI Spark reads (file:, hdfs:, s3a:).")
    String data = "fashion-mnist";

    void check() {
        if (partitions < 1) {
            throw new UserError("--partitions must be at least 1, found " + partitions);
        }
        for (String c : conf) {
            if (c.indexOf('=') < 1) {
                throw new UserError("--conf takes KEY=VALUE, found '" + c + "'");
            }
        }
    }

    IdxSource source() {
        try {
            return IdxSource.locate(data);
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            throw new UserError("cannot find the data: " + e.getMessage());
        }
    }

    SparkSession start(String app) {
        Map<String, String> c = new LinkedHashMap<>();
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            c.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        try {
            return SparkSessions.start(master, app, c);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        } catch (RuntimeException e) {
            throw new UserError("cannot start Spark with master " + master + ": " + e.getMessage());
        }
    }

    /** Compiles {@code m} once, here, into bytecode for the executors. */
    static ShippedNetwork ship(Model m, String hash) {
        JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(m, DeviceArgs.PACKAGE));
        return ShippedNetwork.of(c, hash == null ? GraphHash.of(m) : hash, m.batch());
    }

    /** A Spark job's failure as a user's message when its cause is the data; else the exception itself. */
    static RuntimeException jobFailure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return new UserError("reading the data failed on an executor: " + t.getMessage());
            }
        }
        return e;
    }
}
