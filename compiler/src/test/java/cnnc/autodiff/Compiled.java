package cnnc.autodiff;

import cnnc.diag.CompileError;
import cnnc.front.Options;
import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.passes.Pipeline;
import cnnc.syntax.Parser;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A .cnn text compiled for training with its backward graph, and lookups the autodiff tests share. */
record Compiled(Model model) {

    static Compiled of(String text, boolean inputSensitivity) {
        try {
            var source = Parser.decode("test.cnn", text.getBytes(StandardCharsets.UTF_8));
            return new Compiled(Pipeline.compile(source, Options.defaults().withInputSensitivity(inputSensitivity)));
        } catch (CompileError e) {
            throw new AssertionError("does not compile:\n" + e.render() + "\n" + text, e);
        }
    }

    static Compiled of(String text) {
        return of(text, false);
    }

    Graph forward() {
        return model.forward();
    }

    Graph backward() {
        return model.backwardGraph();
    }

    /** Every buffer the backward graph writes, by name, with the step writing it (the first, if twice). */
    Map<String, Step> writers() {
        Map<String, Step> out = new LinkedHashMap<>();
        for (Step s : backward().steps()) {
            for (Buffer b : s.outputs()) {
                out.putIfAbsent(b.name(), s);
            }
        }
        return out;
    }

    /** The backward step writing {@code name}; fails if none does. */
    Step writer(String name) {
        Step s = writers().get(name);
        if (s == null) {
            throw new AssertionError("no backward step writes " + name + "\n" + dump());
        }
        return s;
    }

    /** The backward steps made from the forward statement defining {@code node}. */
    List<Step> stepsFor(String node) {
        return backward().steps().stream().filter(s -> s.node().equals(node)).toList();
    }

    String dump() {
        return cnnc.inspect.TextDump.render(model, true);
    }
}
