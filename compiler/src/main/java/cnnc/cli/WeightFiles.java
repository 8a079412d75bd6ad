package cnnc.cli;

import cnnc.ir.GraphHash;
import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Weight files as the commands read them: checked against the compiled graph before anything is
 * loaded, so weights trained for another graph fail with one sentence naming the first tensor that
 * differs and both shapes, instead of loading garbage.
 */
final class WeightFiles {

    private WeightFiles() {}

    /** Reads a safetensors file; a missing or malformed file is the user's error. */
    static TensorFile read(Path file, String flag) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(flag + " " + file + ": no such file");
        }
        try {
            return Safetensors.read(file);
        } catch (SafetensorsException e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * Checks that {@code f} holds this graph's weights. The first tensor (in the model's order) that
     * is missing, extra or differently shaped makes it a user error; equal shapes under another
     * {@code graph_hash} (e.g. a changed activation) load with a warning to {@code warn}.
     */
    static void checkGraph(Path file, TensorFile f, Network net, String hash, Consumer<String> warn) {
        String theirHash = f.meta(GraphHash.KEY);
        String theirModel = f.meta("model");
        String difference = firstDifference(f, net);
        String whose = theirModel == null || theirModel.equals(net.name()) ? "a different graph of " + net.name()
                : "model " + theirModel + ", not " + net.name();
        String hashes = theirHash == null ? "" : " (graph_hash " + brief(theirHash) + ", this model's " + brief(hash) + ")";
        if (difference != null) {
            throw new UserError(file + " holds weights for " + whose + hashes + ": " + difference + ".");
        }
        if (theirHash != null && !theirHash.equals(hash)) {
            warn.accept("warning: " + file + " was saved for " + whose + hashes
                    + "; every tensor's name and shape match, so it is loaded anyway");
        } else if (theirModel != null && !theirModel.equals(net.name())) {
            warn.accept("warning: " + file + " holds weights of model " + theirModel + ", loaded into " + net.name());
        }
    }

    /** Reads, checks and loads weights (parameters and running statistics) into {@code net}. */
    /** A command's check before it compiles: a .cnn model needs --weights, an .onnx model brings its own. */
    static void requireFor(ModelArgs model, Path weights) {
        if (weights == null && !model.isOnnx()) {
            throw new UserError("--weights is required for a .cnn model (an .onnx model brings its own)");
        }
    }

    /**
     * Loads into {@code net} the weights of {@code --weights}, or those an .onnx model brings when
     * there is none; warnings about another graph go to {@code err}.
     */
    static TensorFile loadFor(ModelArgs model, Path weights, Network net, cnnc.ir.Model m, java.io.PrintWriter err) {
        return weights == null ? loadImported(model, net) : load(weights, net, GraphHash.of(m), w -> {
            err.println("cnnc: " + w);
            err.flush();
        });
    }

    static TensorFile load(Path file, Network net, String hash, Consumer<String> warn) {
        TensorFile f = read(file, "--weights");
        checkGraph(file, f, net, hash, warn);
        try {
            NetworkFiles.loadWeights(net, f, file);
        } catch (SafetensorsException e) {
            throw new UserError(e.getMessage());
        }
        return f;
    }

    /** The preprocessing (class names, normalization) stored in a weights file's metadata for this model. */
    static cnnc.runtime.data.Preprocessing preprocessing(Path file, TensorFile f, cnnc.ir.Model m) {
        var x = m.input().shape();
        try {
            return cnnc.runtime.data.Preprocessing.fromMetadata(f.metadata(), x.c(), x.h(), x.w(), DataArgs.classes(m));
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": " + e.getMessage());
        }
    }

    /** Loads the weights an .onnx model brings into {@code net}. */
    static TensorFile loadImported(ModelArgs model, Network net) {
        TensorFile f = model.imported().weights();
        String difference = firstDifference(f, net);
        if (difference != null) {
            throw new IllegalStateException("the import of " + model.model + " does not fit its own graph: " + difference);
        }
        try {
            NetworkFiles.loadWeights(net, f, model.model);
        } catch (SafetensorsException e) {
            throw new UserError(e.getMessage());
        }
        return f;
    }

    /** The first tensor of the model missing from the file or shaped differently, then extra file tensors; null if none. */
    static String firstDifference(TensorFile f, Network net) {
        Set<String> mine = new HashSet<>();
        for (TensorSpec s : Networks.persistent(net)) {
            mine.add(s.name());
            Tensor t = f.get(s.name());
            if (t == null) {
                return s.name() + " is missing from the file (the model expects " + Tensor.shapeString(s.shape()) + ")";
            }
            if (t.dtype() != s.dtype() || !Arrays.equals(t.shape(), s.shape())) {
                boolean dtypes = t.dtype() != s.dtype();
                return s.name() + " is " + (dtypes ? t.dtype() + " " : "") + Tensor.shapeString(t.shape())
                        + " in the file but " + (dtypes ? s.dtype() + " " : "") + Tensor.shapeString(s.shape()) + " in the model";
            }
        }
        for (String name : f.names()) {
            if (!mine.contains(name) && !name.startsWith(NetworkFiles.OPTIM_PREFIX)) {
                return name + " " + Tensor.shapeString(f.get(name).shape()) + " is in the file but not in the model";
            }
        }
        return null;
    }

    private static String brief(String hash) {
        String h = hash.startsWith("sha256:") ? hash.substring(7) : hash;
        return h.length() > 12 ? h.substring(0, 12) : h;
    }
}
