package cnnc.backend.opencl;

import cnnc.ir.Buffer;
import cnnc.ir.Graph;
import cnnc.ir.Lowering;
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
import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec;
import cnnc.runtime.opencl.Plan;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenCL code generator: from a compiled {@link Model}, the OpenCL C source of every kernel and
 * the {@link Plan} that says which kernels the host launches, with which global sizes and buffers,
 * in the forward, inference and backward passes. One emitter per op family; this class only
 * dispatches (an exhaustive switch over the sealed operations) and renders the fusions the IR records
 * (a conv or full computing the relu that alone reads its output: the {@code fuse-activations} pass).
 */
public final class OpenClBackend {

    /** The generated source and plan; {@code cnnc generate --target opencl} writes both. */
    public record Program(String source, Plan plan) {}

    private final Model model;
    private final Names names = new Names();
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();
    /** The relu step a conv or full computes too (its {@code Lowering.Fusion.Epilogue}). */
    private final Map<Step, Step> reluAfter = new IdentityHashMap<>();
    /** Whether a kernel draws a dropout mask: the program then holds {@code DropoutMask.OPENCL_C}. */
    private boolean drawsMasks;

    private OpenClBackend(Model model) {
        cnnc.passes.Pipeline.requireLowered(model);
        this.model = model;
        findFusions(model.forward());
    }

    public static Program generate(Model model) {
        return new OpenClBackend(model).program();
    }

    private Program program() {
        Map<Plan.Pass, List<Plan.Launch>> passes = new EnumMap<>(Plan.Pass.class);
        Map<Step, List<Kernel>> forward = new IdentityHashMap<>();
        List<Plan.Launch> train = new ArrayList<>();
        List<Plan.Launch> infer = new ArrayList<>();
        for (Step s : model.forward().steps()) {
            List<Kernel> ks = emit(s, false);
            forward.put(s, ks);
            ks.forEach(k -> train.add(add(k)));
        }
        for (Step s : model.forward().steps()) {
            // inference differs from training only where bn uses its running statistics and dropout is the identity
            List<Kernel> ks = s.op() instanceof BatchNorm || s.op() instanceof Dropout ? emit(s, true) : forward.get(s);
            ks.forEach(k -> infer.add(add(k)));
        }
        List<Plan.Launch> backward = new ArrayList<>();
        model.backward().ifPresent(g -> g.steps().forEach(s -> emit(s, false).forEach(k -> backward.add(add(k)))));
        passes.put(Plan.Pass.FORWARD, train);
        passes.put(Plan.Pass.INFER, infer);
        passes.put(Plan.Pass.BACKWARD, backward);
        return new Program(source(), plan(passes));
    }

    private Plan.Launch add(Kernel k) {
        kernels.putIfAbsent(k.name(), k);
        return k.launch();
    }

    /** The kernels of one step; empty for a relu fused into the step before it. */
    private List<Kernel> emit(Step step, boolean inference) {
        return switch (step.op()) {
            case Conv op -> ConvKernels.forward(names, step, op, reluAfter.get(step));
            case BatchNorm op -> inference ? BnKernels.infer(names, step, op) : BnKernels.train(names, step, op);
            case Activation op -> step.lowering().fusion() instanceof Lowering.Fusion.Absorbed ? List.of() : ActivationKernels.forward(names, step, op);
            case Pool op -> PoolKernels.forward(names, step, op);
            case Full op -> FullKernels.forward(names, step, op, reluAfter.get(step));
            case Softmax op -> SoftmaxKernels.softmax(names, step, op);
            case Add op -> JoinKernels.add(names, step, op);
            case Concat op -> JoinKernels.concat(names, step, op);
            case CrossEntropy op -> SoftmaxKernels.crossEntropy(names, step, op);
            case ConvBf op -> ConvKernels.sensitivity(names, step, op);
            case ConvGrad op -> ConvKernels.gradient(names, step, op);
            case BnBf op -> BnKernels.sensitivity(names, step, op);
            case BnGrad op -> BnKernels.gradient(names, step, op);
            case ActivationBf op -> ActivationKernels.backward(names, step, op);
            case MaxPoolBf op -> PoolKernels.maxBackward(names, step, op);
            case AvgPoolBf op -> PoolKernels.avgBackward(names, step, op);
            case FullBf op -> FullKernels.sensitivity(names, step, op);
            case FullGrad op -> FullKernels.gradient(names, step, op);
            case SoftmaxCeBf op -> SoftmaxKernels.softmaxCe(names, step, op);
            case SoftmaxBf op -> SoftmaxKernels.softmaxBf(names, step, op);
            case AddBf op -> JoinKernels.addBf(names, step, op);
            case ConcatBf op -> JoinKernels.concatBf(names, step, op);
            case Accumulate op -> JoinKernels.accumulate(names, step, op);
            case Deconv op -> DeconvKernels.forward(names, step, op);
            case DeconvBf op -> DeconvKernels.sensitivity(names, step, op);
            case DeconvGrad op -> DeconvKernels.gradient(names, step, op);
            case BiasGrad op -> DeconvKernels.bias(names, step, op);
            case Dropout op -> {
                drawsMasks |= !inference;
                yield inference ? DropoutKernels.infer(names, step, op) : DropoutKernels.train(names, step, op, model.train().seed());
            }
            case DropoutBf op -> DropoutKernels.backward(names, step, op);
        };
    }

    /**
     * The fusions the {@code fuse-activations} pass recorded: a conv or full that also computes the
     * relu reading its output (one kernel writes both, saving a pass over memory), and that relu.
     */
    private void findFusions(Graph g) {
        for (Step s : g.steps()) {
            if (s.lowering().fusion() instanceof Lowering.Fusion.Epilogue e) {
                reluAfter.put(s, g.producer(e.out()));
            }
        }
    }

    private String source() {
        StringBuilder sb = new StringBuilder();
        sb.append("/*\n * OpenCL kernels of network ").append(model.name()).append(", batch ").append(model.batch())
                .append(", generated by cnnc from ").append(model.source().name()).append(".\n")
                .append(" * Every shape is a constant; every output element is written by one work-item, and every sum\n")
                .append(" * runs in a fixed order: no atomics, the same bits run after run.\n */\n")
                .append("#pragma OPENCL FP_CONTRACT OFF   // no fused multiply-add: results as the formulas round\n")
                .append("// bn statistics and sums accumulate in double where the device has it, as the Java backend does\n")
                .append("#ifdef cl_khr_fp64\n#pragma OPENCL EXTENSION cl_khr_fp64 : enable\ntypedef double acc_t;\n")
                .append("#else\ntypedef float acc_t;\n#endif\n");
        if (drawsMasks) {
            sb.append('\n').append(cnnc.runtime.DropoutMask.OPENCL_C);
        }
        for (Kernel k : kernels.values()) {
            sb.append('\n').append(k.code());
        }
        return sb.toString();
    }

    private Plan plan(Map<Plan.Pass, List<Plan.Launch>> passes) {
        Map<String, Buffer> all = new LinkedHashMap<>(model.forward().buffers());
        model.backward().ifPresent(g -> all.putAll(g.buffers()));
        List<Plan.Buffer> buffers = new ArrayList<>();
        List<String> parameters = new ArrayList<>();
        for (Buffer b : all.values()) {
            TensorSpec.Role role = b.role().runtime();
            int[] shape = b.role() == Role.LOSS ? new int[0] : b.shape().toArray();
            buffers.add(new Plan.Buffer(b.name(), role, b.dtype() == cnnc.ir.DType.I32 ? DType.I32 : DType.F32, shape,
                    b.init().runtime()));
            if (b.role() == Role.PARAMETER) {
                parameters.add(b.name());
            }
        }
        return new Plan(model.name(), model.batch(), model.input().name(), model.target().name(), model.output().name(),
                model.loss().name(), parameters, buffers, passes);
    }
}
