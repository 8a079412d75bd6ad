package cnnc.cli;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.backend.opencl.OpenClBackend;
import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.opencl.OpenClDevices;
import cnnc.runtime.opencl.OpenClException;
import cnnc.runtime.opencl.OpenClNetwork;
import picocli.CommandLine.Option;

/**
 * Where generated code runs: {@code --device java|opencl[:PLATFORM:DEVICE]} and {@code --threads},
 * shared by every command that runs a model. Build with {@link #build}, give back with {@link #release}.
 */
public final class DeviceArgs {

    /** The package generated Java networks are compiled into. */
    static final String PACKAGE = "cnnc.generated";

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "java (the default) or opencl[:PLATFORM:DEVICE] (cnnc devices lists them).")
    String device = "java";

    @Option(names = "--threads", paramLabel = "N", description = "Threads the generated Java code may use (default: the available processors).")
    Integer threads;

    /** The thread count asked for, else the processors available. */
    public int threads() {
        if (threads == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        if (threads < 1) {
            throw new UserError("--threads must be at least 1, found " + threads);
        }
        return threads;
    }

    boolean opencl() {
        return device.equals("opencl") || device.startsWith("opencl:");
    }

    /** Checks --device and --threads before any work is done. */
    public void check() {
        threads();
        if (!device.equals("java") && !opencl()) {
            throw new UserError("unknown --device '" + device + "' (java or opencl[:PLATFORM:DEVICE])");
        }
    }

    /**
     * Call where compiling starts: on java, Janino compiles a few warm-up lines on another thread
     * while the main one parses and generates the real network ({@link Warmup}).
     */
    public void prepare() {
        if (!opencl()) {
            Warmup.startInBackground();
        }
    }

    /** What the run is on, for reports: {@code java, 2 threads} or the OpenCL device. */
    public String describe(Network net) {
        if (net instanceof OpenClNetwork o) {
            return "opencl " + o.device();
        }
        int n = threads();
        return device + " on " + n + " thread" + (n == 1 ? "" : "s");
    }

    /** Generates, compiles and instantiates {@code model}'s network on the device, every tensor readable after a pass. */
    public Network build(Model model) {
        return buildTimed(model, JavaBackend.Memory.KEPT).network();
    }

    /**
     * {@link #build} for a command that reads only the input, output, target, loss and parameters
     * (train, eval, predict, bench): on java the transient tensors (sensitivities, activations only
     * the forward pass reads; in an inference class every activation between input and output)
     * share memory ({@link JavaBackend.Memory#SHARED}); the same bits.
     */
    public Network buildToRun(Model model) {
        return buildTimed(model, JavaBackend.Memory.SHARED).network();
    }

    /**
     * A network built by {@link #buildTimed}, with how long each part took: generating the Java
     * source ({@code sourceChars} long), compiling it with Janino, and allocating the instance's
     * buffers (the generated constructor). Zero times and length on OpenCL, which builds in one go.
     */
    public record Built(Network network, long generateNs, long janinoNs, long buffersNs, int sourceChars) {}

    /** {@link #build}, timing its parts (what {@code cnnc bench} reports of the compile); {@code memory}: on java. */
    public Built buildTimed(Model model, JavaBackend.Memory memory) {
        check();
        if (opencl()) {
            try {
                OpenClDevices.Device d = OpenClDevices.select(device);
                OpenClBackend.Program p = OpenClBackend.generate(model);
                return new Built(new OpenClNetwork(p.plan(), p.source(), d), 0, 0, 0, 0);
            } catch (OpenClException e) {
                if (e.userFixable()) {
                    throw new UserError(e.getMessage());
                }
                throw e;
            }
        }
        long t0 = System.nanoTime();
        JavaBackend.Source source = JavaBackend.generate(model, PACKAGE, JavaBackend.vectorAvailable(), memory);
        long t1 = System.nanoTime();
        JaninoLoader.Compiled compiled = JaninoLoader.compile(source);
        long t2 = System.nanoTime();
        Network net = compiled.instantiate();
        long t3 = System.nanoTime();
        net.setThreads(threads());
        return new Built(net, t1 - t0, t2 - t1, t3 - t2, source.text().length());
    }

    /** Stops the network's worker threads or frees its device memory. */
    public static void release(Network net) {
        net.close();
    }
}
