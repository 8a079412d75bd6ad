package cnnc.cli;

import cnnc.backend.java.JavaBackend;
import cnnc.inspect.CheckTable;
import cnnc.inspect.Sizes;
import cnnc.ir.Model;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "check", description = "Check a model: every tensor's shape, parameters and the memory training takes.")
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Mixin
    ConvTileArg tile;

    @Option(names = "--inference", description = "Check the inference build instead (forward only: what bench's latency and"
            + " throughput phases and an inference class compile; its memory and convolution kernels differ from training's).")
    boolean inference;

    @Override
    public Integer call() {
        tile.apply();
        Model m = model.compile(inference ? model.options().withTraining(false) : model.options());
        PrintWriter out = spec.commandLine().getOut();
        out.print(CheckTable.render(m));
        // what train, eval, grad and bench run (with jdk.incubator.vector); `generate --target java` writes the scalar loops
        JavaBackend.Inspection java = JavaBackend.inspect(m, true);
        boolean inferenceBuild = m.backward().isEmpty();
        List<String> kernels = java.convKernels();
        if (!kernels.isEmpty()) {
            out.printf("%nconvolution kernels on the java device with the Vector API, %s (algorithms and tiles chosen from the shapes;"
                    + " algo: in the file or --conv-algo, and --conv-tile PxB force them):%n", inferenceBuild ? "inference build" : "training build");
            kernels.forEach(k -> out.println("  " + k));
        }
        JavaBackend.ScratchMemory sm = java.scratch();
        if (sm.kept() + sm.temporary() > 0) {
            out.printf("%nscratch of the kernels on the java device: %s kept between runs; %s of temporaries in %d shared array%s"
                            + " of %s in all (steps that never run at the same time share them)%n", Sizes.bytes(4 * sm.kept()),
                    Sizes.bytes(4 * sm.temporary()), sm.arrays(), sm.arrays() == 1 ? "" : "s", Sizes.bytes(4 * sm.shared()));
        }
        JavaBackend.TransientMemory tr = java.transients();
        if (tr.own() > 0) {
            String what = inferenceBuild
                    ? "when eval, predict and bench run it (every activation between input and output)"
                    : "when train and bench run it (sensitivities, and activations only the forward pass reads)";
            String apart = inferenceBuild ? "generate keeps" : "grad, gradcheck and generate keep";
            out.printf("transient tensors on the java device %s: %s, which share the scratch's arrays: %s for both together"
                            + " (%s each in an array of its own; generate --shared-memory does not)%n",
                    what, Sizes.bytes(4 * tr.own()), Sizes.bytes(4 * tr.sharedWithScratch()), apart);
        }
        out.flush();
        return 0;
    }
}
