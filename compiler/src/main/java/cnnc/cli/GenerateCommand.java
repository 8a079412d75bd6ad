package cnnc.cli;

import cnnc.backend.opencl.OpenClBackend;
import cnnc.backend.opencl.OpenClFiles;
import cnnc.ir.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", description = "Generate the code of a network: --target opencl writes NAME.cl (the kernels) "
        + "and NAME.plan (which kernels the host launches, with which sizes and buffers).")
final class GenerateCommand implements Callable<Integer> {

    enum Target { java, opencl }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Option(names = "--target", paramLabel = "TARGET", description = "java (default) or opencl.")
    Target target = Target.java;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "The directory to write to.")
    Path output;

    @Override
    public Integer call() {
        Model m = model.compile(model.options());
        switch (target) {
            case opencl -> {
                try {
                    for (Path p : OpenClFiles.write(OpenClBackend.generate(m), output)) {
                        spec.commandLine().getOut().println("wrote " + p);
                    }
                } catch (IOException e) {
                    throw new UserError("cannot write to '" + output + "': " + e.getMessage());
                }
            }
            case java -> throw new UserError("--target java is not available in this build yet; use --target opencl");
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
