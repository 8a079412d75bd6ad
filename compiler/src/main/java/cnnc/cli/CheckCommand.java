package cnnc.cli;

import cnnc.inspect.CheckTable;
import cnnc.ir.Model;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "check", description = "Check a model: every tensor's shape, parameters and the memory training takes.")
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Override
    public Integer call() {
        Model m = model.compile(model.options());
        spec.commandLine().getOut().print(CheckTable.render(m));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
