package cnnc.interp;

import cnnc.ir.Buffer;
import cnnc.ir.Init;
import cnnc.ir.DType;
import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Step;
import cnnc.ops.Accumulate;
import cnnc.ops.Activation;
import cnnc.ops.ActivationBf;
import cnnc.ops.Add;
import cnnc.ops.AddBf;
import cnnc.ops.AvgPoolBf;
import cnnc.ops.BatchNorm;
import cnnc.ops.BnBf;
import cnnc.ops.BnGrad;
import cnnc.ops.Concat;
import cnnc.ops.ConcatBf;
import cnnc.ops.Conv;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.BiasGrad;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;
import cnnc.ops.CrossEntropy;
import cnnc.ops.Dropout;
import cnnc.ops.DropoutBf;
import cnnc.ops.Full;
import cnnc.ops.FullBf;
import cnnc.ops.FullGrad;
import cnnc.ops.MaxPoolBf;
import cnnc.ops.Pool;
import cnnc.ops.Softmax;
import cnnc.ops.SoftmaxBf;
import cnnc.ops.SoftmaxCeBf;
import java.util.Map;

/**
 * The reference interpreter: runs a {@link Model}'s forward graph and backward graph step by step,
 * straight from the IR, in float64, with the plain loops of docs/language.md §3 (one class per op family).
 * It is what generated Java and OpenCL code are tested against, so it favours being obviously
 * right over being fast.
 *
 * <p>A new interpreter holds docs/language.md §3's initial values: {@code γ = 1}, {@code running_var = 1}, every
 * other source 0. Set inputs, target and parameters with {@link #set} or {@link #load} (see
 * {@link Seeds}), then {@link #forward} and {@link #backward}; read any buffer by its IR name
 * ({@code c1}, {@code grad.c1.weight}, {@code path.p1}, {@code loss}).
 */
public final class Interpreter {

    private final Model model;
    private final Memory mem = new Memory();
    private boolean trainedForward;
    /** The training step dropout draws its masks for ({@link #setStep}); forward passes do not advance it. */
    private long step;

    public Interpreter(Model model) {
        this.model = model;
        for (Buffer b : model.forward().sources()) {
            double[] v = mem.write(b);
            if (b.init() == Init.ONE) {
                java.util.Arrays.fill(v, 1);
            }
        }
    }

    public Model model() {
        return model;
    }

    /** Copies {@code values} into source buffer {@code name} (an input, the target, a parameter or bn state). */
    public void set(String name, double[] values) {
        Buffer b = model.forward().sources().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no input, target, parameter or state named " + name));
        if (values.length != b.shape().size()) {
            throw new IllegalArgumentException(name + " holds " + b.shape().size() + " values (" + b.shape() + "), not " + values.length);
        }
        mem.put(name, values.clone());
    }

    /**
     * The training step whose dropout masks the following forward passes draw (as
     * {@code Network.setStep}); unlike a network's, it stays until set again, so that the finite
     * differences of the gradient check all see one mask.
     */
    public void setStep(long step) {
        this.step = step;
    }

    /** {@link #set} for every entry. */
    public void load(Map<String, double[]> values) {
        values.forEach(this::set);
    }

    /**
     * Runs the forward graph. Training: bn uses batch statistics, saves them for the backward graph
     * and updates its running statistics. Inference: bn uses the running statistics.
     */
    public void forward(boolean training) {
        for (Step step : model.forward().steps()) {
            run(step, training);
        }
        trainedForward = training;
    }

    /**
     * A training forward pass with one tensor moved: {@code h} is added to element {@code index} of
     * {@code name} once it is computed (for a source, before the first step). The loss's finite
     * differences in any tensor, an intermediate activation included, check its sensitivity. A source
     * stays moved; sources and running statistics change, so use a fresh interpreter per call.
     */
    public void forwardNudged(String name, int index, double h) {
        if (model.forward().sources().stream().anyMatch(b -> b.name().equals(name))) {
            buffer(name)[index] += h;
        }
        for (Step step : model.forward().steps()) {
            run(step, true);
            if (step.output().name().equals(name)) {
                buffer(name)[index] += h;
            }
        }
        trainedForward = true;
    }

    /** Runs the backward graph; needs a training {@link #forward} first (bn differentiates batch statistics). */
    public void backward() {
        Graph backward = model.backwardGraph();
        if (!trainedForward) {
            throw new IllegalStateException("backward() needs forward(true) first");
        }
        for (Step step : backward.steps()) {
            run(step, true);
        }
    }

    /** The loss {@code J} of the last forward. */
    public double loss() {
        if (model.loss() == null) {
            throw new IllegalStateException("network " + model.name() + " has no loss");
        }
        return buffer(model.loss().name())[0];
    }

    /** The live value of a float buffer (writes to a source take effect on the next run). */
    public double[] buffer(String name) {
        double[] v = mem.get(name);
        if (v == null) {
            throw new IllegalArgumentException(unknown(name, DType.F32));
        }
        return v;
    }

    /** The value of a path tensor ({@code path.p1}). */
    public int[] path(String name) {
        int[] v = mem.getPath(name);
        if (v == null) {
            throw new IllegalArgumentException(unknown(name, DType.I32));
        }
        return v;
    }

    private String unknown(String name, DType type) {
        Buffer b = model.forward().buffers().get(name);
        if (b == null && model.backward().isPresent()) {
            b = model.backwardGraph().buffers().get(name);
        }
        if (b == null) {
            return "no buffer named " + name + " in " + model.name();
        }
        if (b.dtype() != type) {
            return name + " is " + (b.dtype() == DType.I32 ? "a path tensor: use path()" : "not a path tensor: use buffer()");
        }
        return name + " has no value yet" + (b.role() == Role.SAVED ? " (bn saves its statistics in training only)" : "");
    }

    /** Tests: sets any buffer, a sensitivity included, to run a single backward step on. */
    void put(String name, double[] value) {
        mem.put(name, value.clone());
    }

    /** Tests: runs one step of either graph. */
    void execute(Step step, boolean training) {
        run(step, training);
    }

    /** Executes one step: every operation, forward and backward, has its case here. */
    private void run(Step step, boolean training) {
        switch (step.op()) {
            case Conv op -> ConvInterp.forward(op, step, mem);
            case ConvBf op -> ConvInterp.backwardData(op, step, mem);
            case ConvGrad op -> ConvInterp.backwardWeights(op, step, mem);
            case BatchNorm op -> BnInterp.forward(op, step, mem, training);
            case BnBf op -> BnInterp.backwardData(op, step, mem);
            case BnGrad op -> BnInterp.backwardParams(op, step, mem);
            case Activation op -> ActivationInterp.forward(op, step, mem);
            case ActivationBf op -> ActivationInterp.backward(op, step, mem);
            case Pool op -> PoolInterp.forward(op, step, mem);
            case MaxPoolBf op -> PoolInterp.backwardMax(op, step, mem);
            case AvgPoolBf op -> PoolInterp.backwardAvg(op, step, mem);
            case Full op -> FullInterp.forward(op, step, mem);
            case FullBf op -> FullInterp.backwardData(op, step, mem);
            case FullGrad op -> FullInterp.backwardWeights(op, step, mem);
            case Softmax op -> SoftmaxInterp.forward(op, step, mem);
            case SoftmaxBf op -> SoftmaxInterp.backward(op, step, mem);
            case CrossEntropy op -> SoftmaxInterp.loss(op, step, mem);
            case SoftmaxCeBf op -> SoftmaxInterp.backwardWithLoss(op, step, mem);
            case Add op -> JoinInterp.add(op, step, mem);
            case AddBf op -> JoinInterp.addBackward(op, step, mem);
            case Concat op -> JoinInterp.concat(op, step, mem);
            case ConcatBf op -> JoinInterp.concatBackward(op, step, mem);
            case Accumulate op -> JoinInterp.accumulate(op, step, mem);
            case Deconv op -> DeconvInterp.forward(op, step, mem);
            case DeconvBf op -> DeconvInterp.backwardData(op, step, mem);
            case DeconvGrad op -> DeconvInterp.backwardWeights(op, step, mem);
            case BiasGrad op -> DeconvInterp.bias(op, step, mem);
            case Dropout op -> DropoutInterp.forward(op, step, mem, training, model.train().seed(), this.step);
            case DropoutBf op -> DropoutInterp.backward(op, step, mem);
        }
    }
}
