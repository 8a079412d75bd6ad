package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every generated method stays under HotSpot's 8000-byte JIT limit: every sample, the zoo, and wide layers, with and without the Vector API. */
@org.junit.jupiter.api.Timeout(60)
class MethodSizeTest {

    static final String WIDE = """
            network wide {
                input x : 64x40x40;
                target z : 1000;
                a = conv(x, 128, kernel: 11x11, stride: 2x2);
                b = bn(a, per: channel);
                r = relu(b);
                c = conv(r, 96, kernel: 7x9, anchor: (-2, 12));
                p = maxpool(c, window: 6x6, stride: 3x3, ceil: true);
                q = avgpool(c, window: 5x5, stride: 2x2, ceil: true);
                e = bn(p);
                f = full(e, 1000);
                g = full(q, 1000);
                s = add(f, g);
                y = softmax(s);
                loss cross_entropy(y, z);
            }
            """;

    static Stream<Arguments> models() throws IOException {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("wide", Models.model("wide.cnn", WIDE, 2)));
        ReferenceTest.ZOO.forEach((name, text) -> out.add(Arguments.of(name, Models.model(name + ".cnn", text, 2))));
        try (Stream<Path> files = Files.list(Models.root().resolve("samples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cnn")).sorted().toList()) {
                out.add(Arguments.of(f.getFileName().toString(), Models.file(f, 64)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyMethodIsJitCompilable(String name, Model m) {
        for (boolean vector : new boolean[] {true, false}) {
            JaninoLoader.Compiled c = JaninoLoader.compile(JavaBackend.generate(m, "cnnc.generated", vector));
            int methods = 0;
            for (Map.Entry<String, byte[]> cls : c.bytecodes().entrySet()) {
                for (Map.Entry<String, Integer> e : MethodSizes.of(cls.getValue()).entrySet()) {
                    methods++;
                    assertTrue(e.getValue() < MethodSizes.JIT_LIMIT, name + (vector ? " (vector): " : " (scalar): ") + cls.getKey()
                            + "." + e.getKey() + " has " + e.getValue() + " bytes of bytecode");
                }
            }
            assertTrue(methods > 20, name + ": only " + methods + " methods read");
        }
    }
}
