package cnnc.cli;

import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.data.Dataset;
import cnnc.runtime.data.Preprocessing;
import cnnc.runtime.io.TensorFile;
import cnnc.runtime.train.Checkpoint;
import cnnc.runtime.train.Evaluation;
import cnnc.runtime.train.Evaluator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cnnc eval}: accuracy and mean cross-entropy of trained weights on the test set, in
 * inference mode (bn with its running statistics). The model is compiled without a backward graph.
 */
@Command(name = "eval", description = "Accuracy, mean loss, per-class accuracy and the confusion matrix of trained weights on the test set "
        + "(inference mode, the weights file's preprocessing).")
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelArgs model;

    @Mixin
    DataArgs data;

    @Mixin
    DeviceArgs device;

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "The trained weights (a checkpoint will do); an .onnx model brings its own.")
    Path weights;

    /** The seed of an image folder's validation split: the checkpoint's, else the train block's. */
    static long seed(TensorFile f, Model m) {
        try {
            return f.meta(Checkpoint.SEED) != null ? Long.parseLong(f.meta(Checkpoint.SEED)) : m.train().seed();
        } catch (NumberFormatException e) {
            return m.train().seed();
        }
    }

    /** Class names of the data that differ from those the weights were trained with: a warning. */
    private static void checkNames(Dataset data, Preprocessing prep, PrintWriter err) {
        List<String> mine = data.classNames();
        if (!mine.equals(prep.classNames()) && !mine.equals(Preprocessing.fromMetadata(java.util.Map.of(), 1, 1, 1, mine.size()).classNames())) {
            err.println("cnnc: warning: the data's classes " + mine + " differ from those the weights were trained on " + prep.classNames());
            err.flush();
        }
    }

    @Override
    public Integer call() {
        device.check();
        WeightFiles.requireFor(model, weights);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        device.prepare();
        Model m = model.compile(model.options().withTraining(false));
        Network net = device.buildToRun(m);
        try {
            TensorFile f = WeightFiles.loadFor(model, weights, net, m, err);
            Preprocessing prep = WeightFiles.preprocessing(weights == null ? model.model : weights, f, m);
            long seed = seed(f, m);
            DataSets.Loaded loaded = DataSets.load(data, m, seed, device.threads());
            for (String note : loaded.notes()) {
                err.println("cnnc: " + note);
            }
            Dataset test = prep.apply(loaded.test());
            checkNames(loaded.test(), prep, err);
            long start = System.nanoTime();
            Evaluation e = Evaluator.evaluate(net, test);
            double seconds = (System.nanoTime() - start) / 1e9;
            String epoch = f.meta(Checkpoint.EPOCH);
            out.printf("eval %s with %s%s on %d %s images from %s (batch %d, %.1f s, %.0f images/s)%n", m.name(), weights == null ? "the weights of " + model.model : weights,
                    epoch == null ? "" : " (after epoch " + epoch + ")", test.size(), loaded.testName(), loaded.where(), m.batch(), seconds,
                    test.size() / Math.max(seconds, 1e-9));
            out.printf("test accuracy %.2f%% (%d/%d), test loss %.4f%n", 100 * e.accuracy(), e.correct(), e.count(), e.meanLoss());
            out.print(ConfusionText.render(e.confusion(test.classes()), prep.classNames()));
            out.flush();
            return 0;
        } finally {
            DeviceArgs.release(net);
        }
    }
}
