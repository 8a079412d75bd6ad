package cnnc.cli;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.data.Images;
import cnnc.runtime.data.Preprocessing;
import cnnc.runtime.io.Json;
import cnnc.runtime.io.TensorFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc predict}: classifies image files with trained weights, each through the preprocessing
 * the weights file records (channel conversion, bilinear resize, normalization), printing its top-K
 * class names and probabilities. Every image is decoded before anything is printed, so an
 * unreadable one ends the command with its name and exit 1 and no partial output.
 */
@Command(name = "predict", description = "Classify image files (or folders of them, or globs) with trained weights: the top-K classes and "
        + "probabilities of each.")
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Mixin
    DeviceArgs device;

    @Option(names = "--weights", paramLabel = "W.safetensors", description = "The trained weights (a checkpoint will do); an .onnx model brings its own.")
    Path weights;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE|DIR", description = "Image files, folders (searched recursively) or globs.")
    List<String> images;

    @Option(names = "--top", paramLabel = "K", description = "How many classes to print per image (default 3).")
    int top = 3;

    @Option(names = "--json", description = "Print JSON: [{\\\"file\\\", \\\"predictions\\\": [{\\\"class\\\", \\\"index\\\", \\\"probability\\\"}]}].")
    boolean json;

    @Override
    public Integer call() {
        device.check();
        if (top < 1) {
            throw new UserError("--top must be at least 1, found " + top);
        }
        WeightFiles.requireFor(model, weights);
        List<Path> files = files(images);
        device.prepare();
        Model m = model.compile(model.options().withTraining(false));
        Network net = device.buildToRun(m);
        try {
            TensorFile f = WeightFiles.loadFor(model, weights, net, m, spec.commandLine().getErr());
            Preprocessing prep = WeightFiles.preprocessing(weights == null ? model.model : weights, f, m);
            float[][] inputs = new float[files.size()][];
            for (int i = 0; i < inputs.length; i++) {
                try {
                    inputs[i] = prep.input(files.get(i));
                } catch (IOException e) {
                    throw new UserError(e.getMessage());
                }
            }
            float[][] probs = run(net, inputs);
            print(spec.commandLine().getOut(), files, probs, prep.classNames());
            return 0;
        } finally {
            DeviceArgs.release(net);
        }
    }

    /** Class probabilities of every input, a batch of the network at a time (inference mode). */
    static float[][] run(Network net, float[][] inputs) {
        float[] in = net.tensor(net.inputName());
        float[] out = net.tensor(net.outputName());
        int batch = net.batch();
        int px = in.length / batch;
        int k = out.length / batch;
        float[][] probs = new float[inputs.length][];
        for (int from = 0; from < inputs.length; from += batch) {
            int n = Math.min(batch, inputs.length - from);
            Arrays.fill(in, 0f);
            for (int r = 0; r < n; r++) {
                System.arraycopy(inputs[from + r], 0, in, r * px, px);
            }
            net.infer();
            for (int r = 0; r < n; r++) {
                probs[from + r] = Arrays.copyOfRange(out, r * k, (r + 1) * k);
            }
        }
        return probs;
    }

    private void print(PrintWriter out, List<Path> files, float[][] probs, List<String> names) {
        List<Object> all = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Integer[] order = topK(probs[i], Math.min(top, probs[i].length));
            if (json) {
                List<Object> preds = new ArrayList<>();
                for (int c : order) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("class", names.get(c));
                    p.put("index", c);
                    p.put("probability", (double) probs[i][c]);
                    preds.add(p);
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("file", files.get(i).toString());
                entry.put("predictions", preds);
                all.add(entry);
            } else {
                StringBuilder b = new StringBuilder(files.get(i).toString()).append(':');
                for (int j = 0; j < order.length; j++) {
                    b.append(j == 0 ? " " : ", ").append(names.get(order[j])).append(String.format(" %.2f%%", 100 * probs[i][order[j]]));
                }
                out.println(b);
            }
        }
        if (json) {
            out.println(Json.write(all));
        }
        out.flush();
    }

    /** Classes by falling probability, the lower index first on ties (as argmax picks). */
    static Integer[] topK(float[] p, int k) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> p[a] != p[b] ? Float.compare(p[b], p[a]) : Integer.compare(a, b));
        return Arrays.copyOf(idx, k);
    }

    /** Image files named directly, found in folders (recursively, sorted) or matched by a glob. */
    static List<Path> files(List<String> args) {
        List<Path> out = new ArrayList<>();
        for (String a : args) {
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    List<Path> found = s.filter(f -> Files.isRegularFile(f) && Images.hasImageExtension(f)
                            && !f.getFileName().toString().startsWith(".")).sorted().toList();
                    if (found.isEmpty()) {
                        throw new UserError(a + ": no image files (" + String.join(", ", Images.EXTENSIONS) + ") in this folder");
                    }
                    out.addAll(found);
                } catch (IOException e) {
                    throw new UserError(a + ": cannot list the folder: " + e.getMessage());
                }
            } else if (Files.exists(p)) {
                out.add(p);
            } else if (a.contains("*") || a.contains("?") || a.contains("[")) {
                out.addAll(glob(a));
            } else {
                throw new UserError(a + ": no such file");
            }
        }
        return out;
    }

    private static List<Path> glob(String pattern) {
        Path p = Path.of(pattern);
        Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(f -> Files.isRegularFile(f) && m.matches(f.getFileName())).sorted().toList();
            if (found.isEmpty()) {
                throw new UserError(pattern + ": no file matches");
            }
            return found;
        } catch (IOException e) {
            throw new UserError(pattern + ": cannot list " + dir + ": " + e.getMessage());
        }
    }
}
