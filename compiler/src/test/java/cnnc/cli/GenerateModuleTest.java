package cnnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.runtime.Network;
import java.lang.module.Configuration;
import java.lang.reflect.Method;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cnnc generate --module}: the class compiles and runs inside a named module that reads only cnnc.runtime. */
@org.junit.jupiter.api.Timeout(300)
class GenerateModuleTest {

    @TempDir
    Path dir;

    Cli generate(String module) {
        return Cli.run("generate", Cli.root().resolve("samples/lenet5.cnn").toString(), "--package", "com.example.app.nets",
                "--batch", "1", "--inference", "--module", module, "-o", dir.resolve("src").toString());
    }

    @Test
    void writesAModuleInfoThatCompilesAndRunsOnTheModulePath() throws Exception {
        Cli cli = generate("com.example.app");
        assertEquals(0, cli.code(), cli.toString());
        Path info = dir.resolve("src/module-info.java");
        assertTrue(Files.readString(info).contains("module com.example.app {\n    requires cnnc.runtime;"), Files.readString(info));

        // javac on the module path: the runtime is a module, the class is in com.example.app.
        Path runtime = Path.of(Network.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path out = dir.resolve("classes");
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", out.toString(), "--module-path", runtime.toString()));
        try (Stream<Path> s = Files.walk(dir.resolve("src"))) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)));

        // A layer of exactly two modules, the application and cnnc.runtime (JOCL is optional and absent).
        ModuleFinder finder = ModuleFinder.of(out, runtime);
        Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("com.example.app"));
        assertEquals(Set.of("com.example.app", "cnnc.runtime"), cf.modules().stream().map(m -> m.name())
                .collect(java.util.stream.Collectors.toSet()));
        ModuleLayer.Controller ctl = ModuleLayer.defineModulesWithOneLoader(cf, List.of(ModuleLayer.boot()),
                ClassLoader.getSystemClassLoader());
        ModuleLayer layer = ctl.layer();
        // The application's own code would call the class; this test stands in for it, so it is let in.
        ctl.addExports(layer.findModule("com.example.app").orElseThrow(), "com.example.app.nets", getClass().getModule());
        ClassLoader loader = layer.findLoader("com.example.app");
        Class<?> lenet = loader.loadClass("com.example.app.nets.Lenet5_T1");
        assertEquals("com.example.app", lenet.getModule().getName());
        Class<?> network = loader.loadClass("cnnc.runtime.Network"); // exported, so callable from here
        assertEquals("cnnc.runtime", network.getModule().getName());
        Object net = lenet.getConstructor().newInstance();
        Method tensor = network.getMethod("tensor", String.class);
        float[] x = (float[]) tensor.invoke(net, "x");
        java.util.Arrays.fill(x, 0.5f);
        network.getMethod("infer").invoke(net);
        float[] y = (float[]) tensor.invoke(net, "y");
        assertEquals(10, y.length);
        assertEquals(1.0, y[0] * 10, 1e-5, "zero weights: every class equally likely");
    }

    @Test
    void aUsersModuleInfoIsOnlyRead() throws Exception {
        Path info = dir.resolve("src/module-info.java");
        Files.createDirectories(info.getParent());
        String mine = "/* my app */\nopen module com.example.app {\n    requires transitive cnnc.runtime;\n    requires java.logging;\n}\n";
        Files.writeString(info, mine);
        assertEquals(0, generate("com.example.app").code());
        assertEquals(mine, Files.readString(info));
        assertTrue(Files.exists(dir.resolve("src/com/example/app/nets/Lenet5_T1.java")));
    }

    @Test
    void aModuleInfoThatDoesNotFitIsReportedAndNothingIsWritten() throws Exception {
        Path info = dir.resolve("src/module-info.java");
        Files.createDirectories(info.getParent());
        Files.writeString(info, "module com.example.app {\n    // requires cnnc.runtime;\n}\n");
        Cli cli = generate("com.example.app");
        assertEquals(1, cli.code(), cli.toString());
        assertTrue(cli.err().contains(info + ": module com.example.app does not read cnnc.runtime, which the generated class needs:"
                + " add 'requires cnnc.runtime;' to it"), cli.err());
        Cli other = generate("com.example.other");
        assertEquals(1, other.code());
        assertTrue(other.err().contains("declares module com.example.app, not com.example.other"), other.err());
        assertFalse(Files.exists(dir.resolve("src/com")), "no class written");
    }
}
