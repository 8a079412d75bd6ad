package cnnc.cli;

import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.ir.Model;
import cnnc.runtime.Network;
import picocli.CommandLine.Option;

/** Where generated code runs: {@code --device} and {@code --threads}, shared by every command that runs a model. */
public final class DeviceArgs {

    /** The package generated networks are compiled into. */
    static final String PACKAGE = "cnnc.generated";

    @Option(names = "--device", paramLabel = "DEVICE", description = "java (the default); opencl[:PLATFORM:DEVICE] is not in this build yet.")
    String device = "java";

    @Option(names = "--threads", paramLabel = "N", description = "Threads the generated code may use (default: the available processors).")
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

    /** Checks --device before any work is done. */
    public void check() {
        threads();
        if (device.equals("java")) {
            return;
        }
        if (device.equals("opencl") || device.startsWith("opencl:")) {
            throw new UserError("--device " + device + ": the OpenCL backend is not part of this build yet; use --device java");
        }
        throw new UserError("unknown --device '" + device + "' (java or opencl[:PLATFORM:DEVICE])");
    }

    /** Generates, compiles and instantiates {@code model}'s network, set to {@link #threads()}. */
    public Network build(Model model) {
        check();
        Network net = JaninoLoader.compile(JavaBackend.generate(model, PACKAGE)).instantiate();
        net.setThreads(threads());
        return net;
    }
}
