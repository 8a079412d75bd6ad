package cnnc.runtime.train;

import cnnc.runtime.Network;
import cnnc.runtime.Networks;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.io.NetworkFiles;
import cnnc.runtime.io.Safetensors;
import cnnc.runtime.io.SafetensorsException;
import cnnc.runtime.io.Tensor;
import cnnc.runtime.io.TensorFile;
import cnnc.runtime.optim.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training checkpoint: a safetensors weights file (parameters and running statistics, loadable
 * by {@link NetworkFiles#loadWeights}) plus the optimizer state as {@code optim.<param>.<slot>}
 * (shaped like the parameter) and metadata: {@code model}, {@code epoch} (epochs completed),
 * {@code seed}, {@code optimizer} (kind), {@code optim.step}, and whatever the caller adds
 * (e.g. {@code graph_hash}).
 */
public final class Checkpoint {

    public static final String MODEL = "model";
    public static final String EPOCH = "epoch";
    public static final String SEED = "seed";
    public static final String OPTIMIZER = "optimizer";
    public static final String OPTIM_STEP = "optim.step";

    private Checkpoint() {
    }

    /** Writes a checkpoint atomically; {@code metadata} is added after the standard keys. */
    public static void save(Path file, Network net, Optimizer opt, Map<String, String> metadata) {
        TensorFile f = NetworkFiles.weights(net);
        for (String p : opt.parameterNames()) {
            int[] shape = Networks.spec(net, p).shape();
            for (String slot : opt.slots()) {
                f.put(stateName(p, slot), Tensor.f32(shape, opt.state(p, slot)));
            }
        }
        f.metadata().put(MODEL, net.name());
        f.metadata().put(OPTIMIZER, opt.kind());
        f.metadata().put(OPTIM_STEP, Long.toString(opt.steps()));
        f.metadata().putAll(metadata);
        Safetensors.write(file, f);
    }

    /** Name of one optimizer state entry. */
    public static String stateName(String param, String slot) {
        return NetworkFiles.OPTIM_PREFIX + param + "." + slot;
    }

    /**
     * Restores weights, running statistics and optimizer state; validates everything first, so
     * on error nothing has changed.
     *
     * @return the checkpoint's metadata
     * @throws SafetensorsException if the file is invalid, belongs to another model or optimizer,
     *         or any tensor is missing, extra or misshapen
     */
    public static Map<String, String> load(Path file, Network net, Optimizer opt) {
        TensorFile f = Safetensors.read(file);
        Map<String, String> meta = f.metadata();
        String model = meta.get(MODEL);
        if (model != null && !model.equals(net.name())) {
            throw new SafetensorsException(file, "checkpoint of model " + model + ", not " + net.name());
        }
        String kind = meta.get(OPTIMIZER);
        if (kind == null || !kind.equals(opt.kind())) {
            throw new SafetensorsException(file, kind == null ? "no optimizer state (a weights file, not a checkpoint)"
                    : "checkpoint of a " + kind + " run; this run uses " + opt.kind());
        }
        long steps;
        try {
            steps = Long.parseLong(meta.get(OPTIM_STEP));
        } catch (NumberFormatException e) {
            throw new SafetensorsException(file, "metadata " + OPTIM_STEP + " is not a number: " + meta.get(OPTIM_STEP));
        }
        checkState(file, f, net, opt);
        NetworkFiles.loadWeights(net, f, file);
        for (String p : opt.parameterNames()) {
            for (String slot : opt.slots()) {
                float[] src = f.get(stateName(p, slot)).floats();
                System.arraycopy(src, 0, opt.state(p, slot), 0, src.length);
            }
        }
        opt.setSteps(steps);
        return meta;
    }

    private static void checkState(Path file, TensorFile f, Network net, Optimizer opt) {
        List<String> problems = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        for (String p : opt.parameterNames()) {
            TensorSpec s = Networks.spec(net, p);
            for (String slot : opt.slots()) {
                String name = stateName(p, slot);
                expected.add(name);
                Tensor t = f.get(name);
                if (t == null) {
                    problems.add(name + ": missing from the checkpoint");
                } else if (t.dtype() != s.dtype() || !Arrays.equals(t.shape(), s.shape())) {
                    problems.add(name + ": file has " + t + ", model expects " + s.dtype() + " "
                            + Arrays.toString(s.shape()));
                }
            }
        }
        for (String name : f.names()) {
            if (name.startsWith(NetworkFiles.OPTIM_PREFIX) && !expected.contains(name)) {
                problems.add(name + ": optimizer state this " + opt.describe() + " does not have");
            }
        }
        if (!problems.isEmpty()) {
            throw new SafetensorsException(file, String.join("; ", problems));
        }
    }
}
