package cnnc.cli;

import cnnc.backend.java.AheadOfTime;
import cnnc.backend.java.JavaBackend;
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

@Command(name = "generate", description = "Write the generated code of a network: --target java one class specialized to every "
        + "shape; --target opencl NAME.cl (the kernels) and NAME.plan (which kernels the host launches, with which sizes and buffers).")
final class GenerateCommand implements Callable<Integer> {

    enum Target { java, opencl }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Option(names = "--target", paramLabel = "TARGET", description = "java (default) or opencl.")
    Target target = Target.java;

    @Option(names = "--package", paramLabel = "P", description = "Java package of the generated class (default: none).")
    String pkg = "";

    @Option(names = "--inference", description = "Generate the inference variant: the forward pass only, bn on its running "
            + "statistics, no sensitivities, gradients or path tensors (a bn batch may be 1). See docs/embedding.md.")
    boolean inference;

    @Option(names = "--shared-memory", description = "Let the transient tensors share memory (java only): sensitivities and the "
            + "activations only the forward pass reads (with --inference every activation between input and output). "
            + "The same bits in less memory; tensor(name) then rejects those names. See docs/embedding.md.")
    boolean sharedMemory;

    @Option(names = "--module", paramLabel = "M", description = "Put the class in named module M, whose sources are in DIR: "
            + "checks that DIR/module-info.java declares M and requires cnnc.runtime, or writes one that does (java only).")
    String module;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "Directory to write into.")
    Path dir;

    @Override
    public Integer call() {
        if (!AheadOfTime.isPackageName(pkg)) {
            throw new UserError("--package '" + pkg + "' is not a Java package name (like com.example.nets)");
        }
        if (module != null && target != Target.java) {
            throw new UserError("--module applies to --target java only");
        }
        if (sharedMemory && target != Target.java) {
            throw new UserError("--shared-memory applies to --target java only");
        }
        Model m = model.compile(model.options().withTraining(!inference));
        Inputs inputs = new Inputs().file("the model", model.model);
        inputs.check("-o", dir);
        switch (target) {
            case java -> {
                // plain Java: runs on any Java 17, no incubator module
                JavaBackend.Memory memory = sharedMemory ? JavaBackend.Memory.SHARED : JavaBackend.Memory.KEPT;
                JavaBackend.Source src = JavaBackend.generate(m, pkg, false, memory);
                Path file = dir.resolve(src.relativePath());
                inputs.check("-o", file);
                Path info = module == null ? null : ModuleInfo.ensure(dir, module, pkg); // before the class: a misfit writes nothing
                Output.write(file, src.text(), spec.commandLine().getOut());
                spec.commandLine().getErr().println("cnnc: wrote " + file);
                if (info != null) {
                    spec.commandLine().getErr().println("cnnc: wrote " + info);
                }
            }
            case opencl -> {
                inputs.checkDir("-o", dir, m.name() + ".cl", m.name() + ".plan");
                try {
                    for (Path p : OpenClFiles.write(OpenClBackend.generate(m), dir)) {
                        spec.commandLine().getOut().println("wrote " + p);
                    }
                } catch (IOException e) {
                    throw new UserError("cannot write to '" + dir + "': " + e.getMessage());
                }
            }
        }
        if (model.isOnnx()) { // the class needs the weights the ONNX file holds
            Path w = dir.resolve(m.name() + ".safetensors");
            var f = model.imported().weights();
            f.metadata().put(cnnc.runtime.io.NetworkFiles.MODEL, m.name());
            f.metadata().put(cnnc.ir.GraphHash.KEY, cnnc.ir.GraphHash.of(m));
            try {
                cnnc.runtime.io.Safetensors.write(w, f);
            } catch (cnnc.runtime.io.SafetensorsException e) {
                throw new UserError(e.getMessage());
            }
            spec.commandLine().getErr().println("cnnc: wrote " + w + " (the weights of " + model.model + ")");
        }
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
        return 0;
    }
}
