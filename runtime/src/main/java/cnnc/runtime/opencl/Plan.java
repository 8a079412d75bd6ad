package cnnc.runtime.opencl;

import cnnc.runtime.DType;
import cnnc.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the compiler hands the OpenCL host executor besides the kernel source: every device buffer
 * and, for each pass, the kernels to launch in order with their global sizes and arguments. The
 * compiler decides everything; {@link OpenClNetwork} only allocates and enqueues.
 *
 * <p>Text form ({@link #toText()}, {@link #parse(String)}), one item per line:
 * <pre>
 * cnnc-opencl-plan 1
 * network lenet5
 * batch 4
 * input x
 * target z
 * output y
 * loss loss
 * parameters c1.weight c1.bias ...
 * buffer x INPUT F32 4 1 28 28              name, role (or INTERNAL), dtype, shape
 * buffer c1.gamma PARAMETER F32 6 init one  initial value when not zero (one, he, xavier)
 * pass forward
 * launch conv_relu_c1 18816 r:x r:c1.weight r:c1.bias w:c1 w:r1
 * </pre>
 * A launch is a 1-D NDRange of the given global size (the work-group size is left to the
 * device); its arguments are buffers in kernel-parameter order, each read ({@code r}), written
 * ({@code w}) or both ({@code rw}), or {@code s:step}: not a buffer but the network's training step, a
 * {@code ulong} the host sets before each forward pass ({@link cnnc.runtime.Network#setStep}; dropout
 * draws its mask from it). Kernels are deterministic: no atomics, every output element
 * written by one work-item in a fixed order.
 */
public final class Plan {

    /** The passes of a network, as {@link cnnc.runtime.Network} runs them. */
    public enum Pass { FORWARD, INFER, BACKWARD }

    /** How a launch uses a buffer argument. */
    public enum Access {
        R("r"), W("w"), RW("rw"),
        /** Not a buffer: the training step, passed by value as a {@code ulong} ({@link Arg#STEP}). */
        STEP("s");

        final String word;

        Access(String word) {
            this.word = word;
        }

        public boolean reads() {
            return this == R || this == RW;
        }

        public boolean writes() {
            return this == W || this == RW;
        }

        static Access of(String word) {
            for (Access a : values()) {
                if (a.word.equals(word)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("bad access '" + word + "' (r, w or rw)");
        }
    }

    /**
     * A device buffer. {@code role} is null for an internal buffer the {@link cnnc.runtime.Network}
     * does not expose (bn batch statistics, partial sensitivities of a fanned-out tensor).
     */
    public record Buffer(String name, TensorSpec.Role role, DType dtype, int[] shape, TensorSpec.Init init) {

        public Buffer {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public int size() {
            return TensorSpec.sizeOf(shape);
        }

        public boolean exposed() {
            return role != null;
        }

        /** What the device buffer holds when allocated: 1 for {@code ONE}, else 0 (weights are drawn on the host). */
        public float fill() {
            return init == TensorSpec.Init.ONE ? 1f : 0f;
        }

        public TensorSpec spec() {
            return new TensorSpec(name, role, dtype, shape, init);
        }
    }

    /** One buffer argument of a launch, or the training step ({@link #STEP}). */
    public record Arg(String buffer, Access access) {

        /** The step argument, {@code s:step} in the text form. */
        public static final Arg STEP = new Arg("step", Access.STEP);

        public boolean step() {
            return access == Access.STEP;
        }
    }

    /** One kernel launch: a 1-D NDRange of {@code global} work-items. */
    public record Launch(String kernel, long global, List<Arg> args) {

        public Launch {
            args = List.copyOf(args);
            if (global < 1) {
                throw new IllegalArgumentException(kernel + ": global size " + global);
            }
        }
    }

    private final String network;
    private final int batch;
    private final String input;
    private final String target;
    private final String output;
    private final String loss;
    private final List<String> parameters;
    private final Map<String, Buffer> buffers;
    private final Map<Pass, List<Launch>> passes;

    public Plan(String network, int batch, String input, String target, String output, String loss,
                List<String> parameters, List<Buffer> buffers, Map<Pass, List<Launch>> passes) {
        this.network = network;
        this.batch = batch;
        this.input = input;
        this.target = target;
        this.output = output;
        this.loss = loss;
        this.parameters = List.copyOf(parameters);
        Map<String, Buffer> byName = new LinkedHashMap<>();
        for (Buffer b : buffers) {
            if (byName.put(b.name(), b) != null) {
                throw new IllegalArgumentException("plan: buffer " + b.name() + " declared twice");
            }
        }
        this.buffers = byName;
        this.passes = new EnumMap<>(Pass.class);
        for (Pass p : Pass.values()) {
            List<Launch> launches = List.copyOf(passes.getOrDefault(p, List.of()));
            for (Launch l : launches) {
                for (Arg a : l.args()) {
                    if (!a.step() && !byName.containsKey(a.buffer())) {
                        throw new IllegalArgumentException("plan: " + l.kernel() + " uses undeclared buffer " + a.buffer());
                    }
                }
            }
            this.passes.put(p, launches);
        }
        for (String name : List.of(input, target, loss)) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("plan: no buffer " + name);
            }
        }
    }

    public String network() { return network; }
    public int batch() { return batch; }
    public String input() { return input; }
    public String target() { return target; }
    public String output() { return output; }
    public String loss() { return loss; }
    public List<String> parameters() { return parameters; }

    /** Every buffer in declaration order (inputs first, then forward, then backward). */
    public List<Buffer> buffers() {
        return List.copyOf(buffers.values());
    }

    public Buffer buffer(String name) {
        return buffers.get(name);
    }

    public List<Launch> launches(Pass pass) {
        return passes.get(pass);
    }

    /** The text form described in the class comment; {@link #parse} reads it back. */
    public String toText() {
        StringBuilder sb = new StringBuilder("cnnc-opencl-plan 1\n");
        sb.append("network ").append(network).append('\n');
        sb.append("batch ").append(batch).append('\n');
        sb.append("input ").append(input).append('\n');
        sb.append("target ").append(target).append('\n');
        sb.append("output ").append(output).append('\n');
        sb.append("loss ").append(loss).append('\n');
        sb.append("parameters");
        parameters.forEach(p -> sb.append(' ').append(p));
        sb.append('\n');
        for (Buffer b : buffers.values()) {
            sb.append("buffer ").append(b.name()).append(' ').append(b.exposed() ? b.role().name() : "INTERNAL")
                    .append(' ').append(b.dtype().name());
            for (int d : b.shape) {
                sb.append(' ').append(d);
            }
            if (b.init() != TensorSpec.Init.ZERO) {
                sb.append(" init ").append(b.init().word());
            }
            sb.append('\n');
        }
        for (Pass p : Pass.values()) {
            sb.append("pass ").append(p.name().toLowerCase()).append('\n');
            for (Launch l : passes.get(p)) {
                sb.append("launch ").append(l.kernel()).append(' ').append(l.global());
                for (Arg a : l.args()) {
                    sb.append(' ').append(a.access().word).append(':').append(a.buffer());
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Reads the text form.
     *
     * @throws IllegalArgumentException naming the line that is wrong
     */
    public static Plan parse(String text) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].strip().equals("cnnc-opencl-plan 1")) {
            throw new IllegalArgumentException("plan: expected 'cnnc-opencl-plan 1' on the first line");
        }
        Map<String, String> header = new LinkedHashMap<>();
        List<String> parameters = new ArrayList<>();
        List<Buffer> buffers = new ArrayList<>();
        Map<Pass, List<Launch>> passes = new EnumMap<>(Pass.class);
        Pass current = null;
        for (int n = 1; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] w = line.split("\\s+");
            try {
                switch (w[0]) {
                    case "parameters" -> parameters.addAll(Arrays.asList(w).subList(1, w.length));
                    case "buffer" -> buffers.add(parseBuffer(w));
                    case "pass" -> {
                        current = Pass.valueOf(w[1].toUpperCase());
                        passes.put(current, new ArrayList<>());
                    }
                    case "launch" -> {
                        if (current == null) {
                            throw new IllegalArgumentException("a launch before any pass");
                        }
                        List<Arg> args = new ArrayList<>();
                        for (int i = 3; i < w.length; i++) {
                            int colon = w[i].indexOf(':');
                            args.add(new Arg(w[i].substring(colon + 1), Access.of(w[i].substring(0, colon))));
                        }
                        passes.get(current).add(new Launch(w[1], Long.parseLong(w[2]), args));
                    }
                    default -> {
                        if (w.length != 2) {
                            throw new IllegalArgumentException("expected '" + w[0] + " VALUE'");
                        }
                        header.put(w[0], w[1]);
                    }
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("plan line " + (n + 1) + ": " + e.getMessage() + ": " + line, e);
            }
        }
        return new Plan(need(header, "network"), Integer.parseInt(need(header, "batch")), need(header, "input"),
                need(header, "target"), need(header, "output"), need(header, "loss"), parameters, buffers, passes);
    }

    private static Buffer parseBuffer(String[] w) {
        TensorSpec.Role role = w[2].equals("INTERNAL") ? null : TensorSpec.Role.valueOf(w[2]);
        DType dtype = DType.valueOf(w[3]);
        List<Integer> dims = new ArrayList<>();
        TensorSpec.Init init = TensorSpec.Init.ZERO;
        for (int i = 4; i < w.length; i++) {
            if (w[i].equals("init")) {
                init = TensorSpec.Init.of(w[++i]);
            } else {
                dims.add(Integer.parseInt(w[i]));
            }
        }
        return new Buffer(w[1], role, dtype, dims.stream().mapToInt(Integer::intValue).toArray(), init);
    }

    private static String need(Map<String, String> header, String key) {
        String v = header.get(key);
        if (v == null) {
            throw new IllegalArgumentException("plan: no '" + key + "' line");
        }
        return v;
    }
}
