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

    /** Generates, compiles and instantiates {@code model}'s network on the device. */
    public Network build(Model model) {
        check();
        if (opencl()) {
            try {
                OpenClDevices.Device d = OpenClDevices.select(device);
                OpenClBackend.Program p = OpenClBackend.generate(model);
                return new OpenClNetwork(p.plan(), p.source(), d);
            } catch (OpenClException e) {
                if (e.userFixable()) {
                    throw new UserError(e.getMessage());
                }
                throw e;
            }
        }
        Network net = JaninoLoader.compile(JavaBackend.generate(model, PACKAGE)).instantiate();
        net.setThreads(threads());
        return net;
    }

    /** Stops the network's worker threads or frees its device memory. */
    public static void release(Network net) {
        net.close();
    }
}
