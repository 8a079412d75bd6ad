package cnnc.backend.java;

import cnnc.diag.SourceFile;
import cnnc.front.Options;
import cnnc.ir.Model;
import cnnc.passes.Pipeline;
import cnnc.runtime.Network;
import java.util.Arrays;

/**
 * One convolution layer's kernels, each register tile against the others, on a loaded machine: a
 * tool, not a test ({@code ConvBench C K HxW BATCH THREADS TILE...}, TILE {@code auto} or {@code PxB};
 * {@code G<k>} after a tile forces conv_grad's channel block). Every configuration runs its profiled
 * class ({@link JavaBackend#generateProfiled}) in turn, several rounds; per round and unit the time of
 * a step, and the best round of each unit is kept (the least disturbed by other processes). Prints
 * GFLOP/s (direct-algorithm operations) of the forward, backward-data and gradient steps. {@code @direct},
 * {@code @winograd}, {@code @winograd2}, {@code @winograd4} or {@code @scalar} after a configuration forces the algorithm ({@code 3x8@direct}).
 * {@code -Dcnnc.bench.units=true} also prints the time of every unit (phase) of conv 'b';
 * {@code -Dcnnc.bench.conv="kernel: 7x7, stride: 2x2"} gives conv 'b' other arguments than {@code kernel: 3x3}.
 */
public final class ConvBench {

    private ConvBench() {}

    /**
     * {@code -Dcnnc.bench.edit="REGEX=>REPLACEMENT;;..."}: edits the generated source before it is
     * compiled, to time a kernel with a phase taken out (the results are then wrong: a tool only).
     */
    private static JavaBackend.Source edit(JavaBackend.Source src) {
        String edits = System.getProperty("cnnc.bench.edit");
        if (edits == null) {
            return src;
        }
        String text = src.text();
        for (String e : edits.split(";;")) {
            String[] ab = e.split("=>", 2);
            String next = text.replaceAll(ab[0], ab[1]);
            if (next.equals(text)) {
                throw new IllegalArgumentException("edit matched nothing: " + ab[0]);
            }
            text = next;
        }
        return new JavaBackend.Source(src.packageName(), src.className(), text);
    }

    public static void main(String[] args) throws Exception {
        int c = Integer.parseInt(args[0]);
        int k = Integer.parseInt(args[1]);
        String hw = args[2];
        int batch = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        String text = "network one {\n input x : " + c + "x" + hw + ";\n target z : 10;\n"
                + " a = conv(x, " + c + ", kernel: 3x3);\n" // gives conv 'b' a sensitivity to propagate (backward-data)
                + " b = conv(a, " + k + ", " + System.getProperty("cnnc.bench.conv", "kernel: 3x3") + ", bias: false);\n f = full(b, 10);\n y = softmax(f);\n loss cross_entropy(y, z);\n}\n";
        Model m = Pipeline.compile(SourceFile.of("one.cnn", text), Options.defaults().withBatch(batch));
        int n = args.length - 5;
        Network[] nets = new Network[n];
        for (int i = 0; i < n; i++) {
            String[] at = args[5 + i].split("@");
            cnnc.ops.Conv.Algo algo = at.length > 1 ? cnnc.ops.Conv.Algo.valueOf(at[1].toUpperCase(java.util.Locale.ROOT))
                    : cnnc.ops.Conv.Algo.AUTO;
            String[] spec = at[0].split("G");
            ConvTiles.override = spec[0].equals("auto") ? null
                    : new ConvTiles.Tile(Integer.parseInt(spec[0].split("x")[0]), Integer.parseInt(spec[0].split("x")[1]));
            ConvTiles.gradOverride = spec.length > 1 ? Integer.valueOf(spec[1]) : null;
            JavaBackend.Source src = JavaBackend.generateProfiled(cnnc.passes.ConvKernels.run(m, algo), "cnnc.bench" + i, true);
            nets[i] = JaninoLoader.compile(edit(src)).instantiate();
            nets[i].setThreads(threads);
            Models.fill(nets[i], 1);
        }
        ConvTiles.override = null;
        ConvTiles.gradOverride = null;
        long[][] best = new long[n][];
        for (int round = 0; round < 12; round++) {
            for (int i = 0; i < n; i++) {
                long[] nanos = (long[]) nets[i].getClass().getField(Profile.NANOS).get(nets[i]);
                Arrays.fill(nanos, 0);
                int steps = 10;
                float[] w = nets[i].tensor("b.weight");
                for (int s = 0; s < steps; s++) {
                    // a new weight, as a training step's update gives: Winograd's forward transforms the weights
                    // again only when they changed (WinogradEmitter), and a training step is what this times
                    w[0] = Math.nextUp(w[0]);
                    nets[i].forward();
                    nets[i].backward();
                }
                if (round >= 4) { // the first rounds are the warm-up
                    if (best[i] == null) {
                        best[i] = nanos.clone();
                        Arrays.fill(best[i], Long.MAX_VALUE);
                    }
                    for (int u = 0; u < nanos.length; u++) {
                        best[i][u] = Math.min(best[i][u], nanos[u] / steps);
                    }
                }
            }
        }
        System.out.printf("conv %d -> %d channels, %s, batch %d, %d threads; GFLOP/s of conv 'b' (best of 8 rounds)%n", c, k, hw, batch, threads);
        for (int i = 0; i < n; i++) {
            Class<?> cls = nets[i].getClass();
            String[] steps = (String[]) cls.getField(Profile.STEP).get(null);
            String[] kinds = (String[]) cls.getField(Profile.KIND).get(null);
            long[] flops = (long[]) cls.getField(Profile.FLOPS).get(null);
            StringBuilder line = new StringBuilder(String.format("%-8s", args[5 + i]));
            for (String kind : new String[] {"conv forward", "conv backward-data", "conv gradient"}) {
                long ns = 0;
                long f = 0;
                for (int u = 0; u < kinds.length; u++) {
                    if (kinds[u].equals(kind) && steps[u].contains("'b'")) {
                        ns += best[i][u];
                        f += flops[u];
                    }
                }
                line.append(String.format("  %s %6.1f", kind.substring(5), f / (double) ns));
            }
            System.out.println(line);
            if (Boolean.getBoolean("cnnc.bench.units")) { // -Dcnnc.bench.units=true: µs of every unit of conv 'b'
                for (int u = 0; u < kinds.length; u++) {
                    if (steps[u].contains("'b'")) {
                        System.out.printf("    %-40s %-20s %8.1f µs%n", steps[u], kinds[u], best[i][u] / 1e3);
                    }
                }
            }
            nets[i].close();
        }
    }
}
