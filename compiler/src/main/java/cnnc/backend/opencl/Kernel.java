package cnnc.backend.opencl;

import cnnc.runtime.opencl.Plan;
import java.util.List;

/**
 * One generated OpenCL kernel and how to launch it: its source (comment and function), the global
 * size of its 1-D NDRange, and its buffer arguments in parameter order.
 */
record Kernel(String name, String code, long global, List<Plan.Arg> args) {

    Kernel {
        args = List.copyOf(args);
    }

    Plan.Launch launch() {
        return new Plan.Launch(name, global, args);
    }
}
