package cnnc.cli;

import cnnc.inspect.DotDump;
import cnnc.inspect.JsonDump;
import cnnc.inspect.TextDump;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dump", description = {"Print the forward graph and, with --backward, the backward graph derived from it.",
        "text: one line per operation (docs/inspect.md); dot: Graphviz, for dot -Tpng; json: schema cnnc.graph version 1 (docs/dump-json.md)."})
final class DumpCommand implements Callable<Integer> {

    enum Format { text, dot, json }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Option(names = "--backward", description = "Also derive and print the backward graph.")
    boolean backward;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default), dot or json.")
    Format format = Format.text;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout (a temporary file renamed over FILE).")
    Path output;

    @Option(names = "--input-sensitivity", description = "Also derive the sensitivity of the inputs.")
    boolean inputSensitivity;

    @Option(names = "--trace", description = "Print the IR after every compiler pass (to stderr).")
    boolean trace;

    @Override
    public Integer call() {
        new Inputs().file("the model", model.model).check("-o", output);
        var options = model.options().withInputSensitivity(inputSensitivity);
        Model m = Pipeline.compile(model.source(), options, trace ? spec.commandLine().getErr()::print : null);
        String text = switch (format) {
            case text -> TextDump.render(m, backward);
            case dot -> DotDump.render(m, backward);
            case json -> JsonDump.render(m, backward);
        };
        Output.write(output, text, spec.commandLine().getOut());
        return 0;
    }
}
