import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a cold compile goes (docs/performance.md, "Batch-1 latency and cold compile"): one fresh JVM
 * parses, runs the passes, generates (JavaPoet), compiles (Janino) and instantiates the training
 * class of a .cnn file at its train block's batch, as {@code cnnc bench}'s compile_ms does, and prints
 * each stage's wall time, the process's CPU time (the JIT's threads included) and the main thread's.
 * On a loaded machine wall time means little; compare CPU times over several fresh runs.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp compiler/target/cnnc.jar bench/CompileSplit.java samples/cifar_vgg.cnn
 * </pre>
 */
public final class CompileSplit {

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREAD = ManagementFactory.getThreadMXBean();

    private long wall = System.nanoTime();
    private long cpu = OS.getProcessCpuTime();
    private long main = THREAD.getCurrentThreadCpuTime();

    private void stage(String name) {
        long w = System.nanoTime();
        long c = OS.getProcessCpuTime();
        long m = THREAD.getCurrentThreadCpuTime();
        System.out.printf("%-14s wall %6.0f ms  process cpu %6.0f ms  main thread cpu %6.0f ms%n", name, (w - wall) / 1e6,
                (c - cpu) / 1e6, (m - main) / 1e6);
        wall = w;
        cpu = c;
        main = m;
    }

    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        CompileSplit t = new CompileSplit();
        long start = t.wall;
        Model m = Pipeline.compile(SourceFile.of(p.toString(), Files.readString(p)), Options.defaults());
        t.stage("parse+passes");
        JavaBackend.Source s = JavaBackend.generate(m, "cnnc.generated");
        t.stage("generate");
        JaninoLoader.Compiled c = JaninoLoader.compile(s);
        t.stage("janino");
        Network n = c.instantiate();
        t.stage("instantiate");
        System.out.printf("total wall %.0f ms; source %d chars%n", (System.nanoTime() - start) / 1e6, s.text().length());
        n.close();
    }
}
