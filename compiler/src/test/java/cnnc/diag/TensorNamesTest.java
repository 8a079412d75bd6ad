package cnnc.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.cli.Main;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.ir.Step;
import cnnc.passes.Pipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names legal in .cnn that are Java keywords, clash with members a generated class would have, or
 * are the language's own soft keywords, are fine tensor and network names.
 */
@org.junit.jupiter.api.Timeout(30)
class TensorNamesTest {

    private static final String MODEL = """
            network class {
                input input : 1x8x8;
                target target : 10;
                class = conv(input, 4, kernel: 3x3);
                int = relu(class);
                _ = bn(int, per: channel);
                forward = maxpool(_, window: 2x2);
                network = sigmoid(forward);
                train = tanh(network);
                optimizer = avgpool(train, window: 1x1);
                public = concat(optimizer, forward);
                static = add(public, public);
                backward = full(static, 10);
                this = softmax(backward);
                loss cross_entropy(this, target);
                train { batch 2; }
            }
            """;

    @Test
    void javaKeywordsAndLanguageWordsAreTensorNames() {
        Model m = Pipeline.compile(SourceFile.of("names.cnn", MODEL), Options.defaults());
        assertEquals("class", m.name());
        assertEquals("input", m.input().name());
        assertEquals("target", m.target().name());
        assertEquals("this", m.output().name());
        List<String> nodes = m.forward().steps().stream().map(Step::node).toList();
        assertEquals(List.of("class", "int", "_", "forward", "network", "train", "optimizer", "public", "static",
                "backward", "this", "loss"), nodes);
        assertTrue(m.backward().isPresent(), "the backward graph was derived");
    }

    @Test
    void checkAcceptsThem(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("names.cnn"), MODEL);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"check", file.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertEquals("", err.toString());
        assertEquals(0, code);
        for (String name : List.of("class", "int", "_", "forward", "this", "input", "target")) {
            assertTrue(out.toString().lines().anyMatch(l -> l.startsWith(name + " ")), name + " in\n" + out);
        }
    }
}
