package cnnc.cli;

import cnnc.runtime.opencl.OpenClDevices;
import cnnc.runtime.opencl.OpenClException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "devices", description = "List the OpenCL platforms and devices (what --device opencl:PLATFORM:DEVICE names).")
final class DevicesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<OpenClDevices.Device> devices;
        try {
            devices = OpenClDevices.list();
        } catch (OpenClException e) {
            throw new UserError(e.getMessage());
        }
        if (devices.isEmpty()) {
            throw new UserError(OpenClDevices.INSTALL_HINT);
        }
        PrintWriter out = spec.commandLine().getOut();
        int platform = -1;
        for (OpenClDevices.Device d : devices) {
            if (d.platformIndex() != platform) {
                platform = d.platformIndex();
                out.println("platform " + platform + ": " + d.platformName() + " (" + d.platformVersion() + ")");
            }
            out.println("  " + d.spec() + "  " + d.name() + " (" + d.type() + ", " + d.version() + ")");
        }
        out.flush();
        return 0;
    }
}
