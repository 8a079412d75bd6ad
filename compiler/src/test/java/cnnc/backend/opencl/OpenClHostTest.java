package cnnc.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.cli.Main;
import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.opencl.OpenClException;
import cnnc.runtime.opencl.OpenClNetwork;
import cnnc.runtime.opencl.Plan;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host side: lending buffers, build failures, the command line, and a machine without OpenCL. */
@org.junit.jupiter.api.Timeout(60)
class OpenClHostTest {

    /** y = 2·x, loss = y[0]: small enough to build in an instant. */
    private static final String SOURCE = """
            __kernel void twice(__global const float* restrict X, __global float* restrict Y) {
                const int g = get_global_id(0);
                Y[g] = 2.0f * X[g];
            }
            __kernel void first(__global const float* restrict Y, __global float* restrict J) {
                J[0] = Y[0];
            }
            """;

    private static Plan plan() {
        List<Plan.Buffer> buffers = List.of(
                new Plan.Buffer("x", TensorSpec.Role.INPUT, DType.F32, new int[] {4}, TensorSpec.Init.ZERO),
                new Plan.Buffer("z", TensorSpec.Role.TARGET, DType.F32, new int[] {4}, TensorSpec.Init.ZERO),
                new Plan.Buffer("y", TensorSpec.Role.ACTIVATION, DType.F32, new int[] {4}, TensorSpec.Init.ZERO),
                new Plan.Buffer("w", TensorSpec.Role.PARAMETER, DType.F32, new int[] {2}, TensorSpec.Init.ONE),
                new Plan.Buffer("loss", TensorSpec.Role.LOSS, DType.F32, new int[0], TensorSpec.Init.ZERO));
        Plan.Launch twice = new Plan.Launch("twice", 4, List.of(new Plan.Arg("x", Plan.Access.R), new Plan.Arg("y", Plan.Access.W)));
        Plan.Launch first = new Plan.Launch("first", 1, List.of(new Plan.Arg("y", Plan.Access.R), new Plan.Arg("loss", Plan.Access.W)));
        return new Plan("tiny", 4, "x", "z", "y", "loss", List.of("w"), buffers,
                Map.of(Plan.Pass.FORWARD, List.of(twice, first), Plan.Pass.INFER, List.of(twice, first)));
    }

    @Test
    void lentArraysAreUploadedBeforeAndDownloadedAfterEveryPass() {
        try (OpenClNetwork net = new OpenClNetwork(plan(), SOURCE, OpenClBackendTest.device())) {
            assertArrayEquals(new float[] {1f, 1f}, net.tensor("w"), "a buffer that starts at one");
            float[] x = net.tensor("x");
            float[] y = net.tensor("y");
            x[0] = 1;
            x[3] = 4;
            net.forward();
            assertArrayEquals(new float[] {2, 0, 0, 8}, y, "the lent output array follows the device");
            assertEquals(2f, net.loss());
            x[0] = 5; // written in place, without asking for the array again
            net.infer();
            assertArrayEquals(new float[] {10, 0, 0, 8}, y);
            assertEquals(10f, net.loss());
            net.release("y");
            x[0] = 6;
            net.forward();
            assertEquals(10f, y[0], "a released array is no longer kept in step");
            assertEquals(12f, net.tensor("y")[0], "asking again downloads");
            assertThrows(IllegalArgumentException.class, () -> net.tensor("nope"));
            assertThrows(IllegalArgumentException.class, () -> net.path("x"));
        }
    }

    @Test
    void aKernelThatDoesNotBuildFailsWithTheWholeBuildLog() {
        String broken = SOURCE.replace("Y[g] = 2.0f * X[g];", "Y[g] = 2.0f * undeclared_thing[g];");
        OpenClException e = assertThrows(OpenClException.class,
                () -> new OpenClNetwork(plan(), broken, OpenClBackendTest.device()).close());
        assertFalse(e.userFixable());
        assertTrue(e.getMessage().contains("build log"), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_thing"), e.getMessage());
    }

    @Test
    void planTextRoundTrips() {
        Plan p = plan();
        String text = p.toText();
        assertEquals(text, Plan.parse(text).toText());
        assertTrue(text.contains("buffer w PARAMETER F32 2 init one"), text);
        assertTrue(text.contains("launch twice 4 r:x w:y"), text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plan.parse(text.replace("launch first 1", "launch first x")));
        assertTrue(e.getMessage().contains("plan line"), e.getMessage());
    }

    @Test
    void generateWritesTheKernelsAndThePlan(@TempDir Path dir) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"generate", "samples/lenet5.cnn", "--target", "opencl", "--batch", "3", "-o", dir.toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        String cl = Files.readString(dir.resolve("lenet5.cl"));
        Plan plan = Plan.parse(Files.readString(dir.resolve("lenet5.plan")));
        assertEquals(3, plan.batch());
        for (Plan.Pass pass : Plan.Pass.values()) {
            for (Plan.Launch l : plan.launches(pass)) {
                assertTrue(cl.contains("__kernel void " + l.kernel() + "("), l.kernel());
            }
        }
        assertTrue(cl.contains("samples/lenet5.cnn:9"), "kernels cite their .cnn line");
        assertTrue(cl.contains("#pragma OPENCL FP_CONTRACT OFF"));
        assertFalse(cl.contains("atomic_") || cl.contains("atom_"), "no atomics");
    }

    @Test
    void devicesListsThePlatform() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"devices"}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("opencl:0:0"), out.toString());
    }

    /** With an ICD loader that finds no driver, the command says what to install and exits 1. */
    @Test
    void withoutAPlatformTheMessageSaysWhatToInstall(@TempDir Path empty) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "devices");
        pb.environment().put("OCL_ICD_VENDORS", empty.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), output);
        assertTrue(output.contains("pocl-opencl-icd ocl-icd-opencl-dev"), output);
        assertFalse(output.contains("Exception"), output);
    }
}
