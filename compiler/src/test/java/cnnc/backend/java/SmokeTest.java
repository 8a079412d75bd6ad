package cnnc.backend.java;

import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void lenet() throws Exception {
        Model m = Models.file(Models.root().resolve("samples/lenet5.cnn"), 4);
        JavaBackend.Source src = JavaBackend.generate(m, "cnnc.generated");
        Files.writeString(Path.of("/tmp/Lenet.java"), src.text());
        Network net = JaninoLoader.compile(src).instantiate();
        Models.fill(net, 1);
        net.forward();
        net.backward();
        System.out.println("loss " + net.loss());
        assertTrue(Float.isFinite(net.loss()));
    }
}
