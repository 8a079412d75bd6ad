package cnnc.runtime.io;

import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves a {@link Network}'s buffers to and from safetensors files: weights (parameters and bn
 * running statistics, docs/files.md), full tensor dumps ({@code cnnc grad}), and named inputs.
 *
 * <p>Loading validates the whole file against the model before it changes any buffer, and
 * reports every mismatch at once, e.g.
 * {@code w.safetensors: c1.weight: file has [6, 1, 3, 3], model expects [6, 1, 5, 5]}.
 * Entries named {@code optim.*} belong to a training checkpoint's optimizer state and are skipped
 * by weight loading, so a checkpoint is also a weights file.
 */
public final class NetworkFiles {

    /** Prefix of optimizer-state entries in checkpoints. */
    public static final String OPTIM_PREFIX = "optim.";

    /** Metadata key of the model's name in weight files. */
    public static final String MODEL = "model";

    /** Metadata key of the graph's identity in weight files ({@link Network#graphHash()}). */
    public static final String GRAPH_HASH = "graph_hash";

    private static final int MAX_REPORTED = 10;

    private NetworkFiles() {
    }

    /** The network's parameters and running statistics, wrapping the live buffers (no copy). */
    public static TensorFile weights(Network net) {
        TensorFile f = new TensorFile();
        for (TensorSpec s : Networks.persistent(net)) {
            f.put(s.name(), wrap(net, s));
        }
        return f;
    }

    /** Writes the weights atomically, with the given metadata plus {@code model} = the network's name. */
    public static void saveWeights(Network net, Path file, Map<String, String> metadata) {
        TensorFile f = weights(net);
        f.metadata().put(MODEL, net.name());
        if (net.graphHash() != null) {
            f.metadata().put(GRAPH_HASH, net.graphHash());
        }
        f.metadata().putAll(metadata);
        Safetensors.write(file, f);
    }

    /**
     * Every tensor of the network (activations, sensitivities, parameters, gradients, paths, the
     * loss), wrapping the live buffers; what {@code cnnc grad} writes.
     */
    public static TensorFile snapshot(Network net) {
        TensorFile f = new TensorFile();
        for (TensorSpec s : net.tensors()) {
            f.put(s.name(), wrap(net, s));
        }
        return f;
    }

    private static Tensor wrap(Network net, TensorSpec s) {
        return s.dtype() == DType.I32 ? Tensor.i32(s.shape(), net.path(s.name()))
                : Tensor.f32(s.shape(), net.tensor(s.name()));
    }

    /**
     * Reads a weights file (or checkpoint) into the network's parameters and running statistics.
     * Every tensor is checked before any buffer changes; the message of a file saved for another
     * graph names the first tensor that differs with both shapes, and the two graphs (metadata
     * {@code model} and {@code graph_hash} against {@link Network#graphHash()}), e.g.
     * {@code w.safetensors: weights of model lenet5 for a different graph (graph_hash 3f2a..., this
     * network's 9c41...): c1.weight: file has [6, 1, 3, 3], model expects [6, 1, 5, 5]}. A file whose
     * tensors all fit loads even if its graph hash differs (say, relu changed to tanh): the names
     * and shapes are what loading relies on, and the caller sees the hash in the returned metadata.
     *
     * @return the file's metadata
     * @throws SafetensorsException if the file is invalid, or lacks a tensor the model has, has
     *         one the model lacks, or has a shape or dtype that differs; the network is unchanged
     */
    public static Map<String, String> loadWeights(Network net, Path file) {
        TensorFile f = Safetensors.read(file);
        loadWeights(net, f, file);
        return f.metadata();
    }

    /** As {@link #loadWeights(Network, Path)}, from an already-read file ({@code file} names it in errors). */
    public static void loadWeights(Network net, TensorFile f, Path file) {
        List<TensorSpec> specs = Networks.persistent(net);
        List<String> problems = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (TensorSpec s : specs) {
            known.add(s.name());
            Tensor t = f.get(s.name());
            if (t == null) {
                problems.add(s.name() + ": missing from the file (model " + net.name() + " expects "
                        + describe(s.dtype(), s.shape()) + ")");
            } else if (t.dtype() != s.dtype() || !Arrays.equals(t.shape(), s.shape())) {
                problems.add(mismatch(s.name(), t, s, t.dtype() != s.dtype()));
            }
        }
        for (String name : f.names()) {
            if (!known.contains(name) && !name.startsWith(OPTIM_PREFIX)) {
                problems.add(name + ": in the file but not in model " + net.name());
            }
        }
        fail(file, graphs(net, f), problems);
        for (TensorSpec s : specs) {
            copy(f.get(s.name()), net, s);
        }
    }

    /**
     * What the file says it holds, when it says: {@code weights for a different graph of lenet5
     * (graph_hash 3f2a..., this network's 9c41...): } or {@code weights of model alexnet, not lenet5: }.
     */
    private static String graphs(Network net, TensorFile f) {
        String theirs = f.meta(GRAPH_HASH);
        String model = f.meta(MODEL);
        String mine = net.graphHash();
        if (theirs == null && model == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(model == null || model.equals(net.name())
                ? "weights for a different graph of " + net.name()
                : "weights of model " + model + ", not " + net.name());
        if (theirs != null && mine != null && !theirs.equals(mine)) {
            b.append(" (graph_hash ").append(brief(theirs)).append(", this network's ").append(brief(mine)).append(')');
        }
        return b.append(": ").toString();
    }

    private static String brief(String hash) {
        String h = hash.startsWith("sha256:") ? hash.substring(7) : hash;
        return h.length() > 12 ? h.substring(0, 12) + "..." : h;
    }

    /**
     * Reads the named tensors (inputs and targets of {@code cnnc grad}) from a file into the
     * network. A file shape may drop trailing 1s of the model's shape: {@code [T, C]} is accepted
     * for a tensor of shape {@code [T, C, 1, 1]} (docs/files.md). Other entries are ignored.
     */
    public static void loadTensors(Network net, TensorFile f, Path file, String... names) {
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            TensorSpec s = Networks.spec(net, name);
            Tensor t = f.get(name);
            if (t == null) {
                problems.add(name + ": missing from the file (model " + net.name() + " expects "
                        + describe(s.dtype(), s.shape()) + ")");
            } else if (t.dtype() != s.dtype() || !sameUpToTrailingOnes(t.shape(), s.shape())) {
                problems.add(mismatch(name, t, s, t.dtype() != s.dtype()));
            }
        }
        fail(file, "", problems);
        for (String name : names) {
            copy(f.get(name), net, Networks.spec(net, name));
        }
    }

    /** True if {@code file} is {@code model}, or {@code model} with some trailing 1-dimensions removed. */
    static boolean sameUpToTrailingOnes(int[] file, int[] model) {
        if (file.length > model.length) {
            return false;
        }
        for (int i = 0; i < model.length; i++) {
            if (i < file.length ? file[i] != model[i] : model[i] != 1) {
                return false;
            }
        }
        return true;
    }

    private static String mismatch(String name, Tensor t, TensorSpec s, boolean showDtype) {
        return name + ": file has " + (showDtype ? describe(t.dtype(), t.shape()) : Tensor.shapeString(t.shape()))
                + ", model expects " + (showDtype ? describe(s.dtype(), s.shape()) : Tensor.shapeString(s.shape()));
    }

    private static String describe(DType d, int[] shape) {
        return d + " " + Tensor.shapeString(shape);
    }

    private static void fail(Path file, String prefix, List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder(prefix);
        for (int i = 0; i < problems.size() && i < MAX_REPORTED; i++) {
            b.append(i == 0 ? "" : "; ").append(problems.get(i));
        }
        if (problems.size() > MAX_REPORTED) {
            b.append("; and ").append(problems.size() - MAX_REPORTED).append(" more");
        }
        throw new SafetensorsException(file, b.toString());
    }

    private static void copy(Tensor t, Network net, TensorSpec s) {
        if (s.dtype() == DType.I32) {
            System.arraycopy(t.ints(), 0, net.path(s.name()), 0, s.size());
        } else {
            System.arraycopy(t.floats(), 0, net.tensor(s.name()), 0, s.size());
        }
    }
}
