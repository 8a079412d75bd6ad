package cnnc.runtime.opencl;

import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clCreateCommandQueue;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseMemObject;
import static org.jocl.CL.clReleaseProgram;
import static org.jocl.CL.clSetKernelArg;

import cnnc.runtime.DType;
import cnnc.runtime.Network;
import cnnc.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * A {@link Network} whose buffers live on an OpenCL device for its whole life, running the kernels
 * and launches of a compiler-made {@link Plan}. The program is built once, in the constructor; a
 * build failure throws with the device's complete build log (there is no fallback).
 *
 * <h2>Where the data is: lent buffers</h2>
 * Every buffer has a device copy, the one the kernels use. The {@link Network} contract asks for
 * live host arrays, so a host array exists only for buffers the caller asked for: the first
 * {@link #tensor(String)} or {@link #path(String)} of a buffer downloads it into a host array and
 * <em>lends</em> that array out. From then on the buffer is mirrored both ways, exactly as much as
 * the contract needs:
 * <ul>
 * <li>before a pass, every lent buffer the pass reads is uploaded (the caller may have written it:
 *     a new batch in the input, weights an optimizer changed);</li>
 * <li>after a pass, every lent buffer the pass writes is downloaded (the caller sees the new
 *     activations, gradients, running statistics in the array it holds).</li>
 * </ul>
 * Buffers never lent never cross the bus. {@link #loss()} reads back the one float of the loss.
 * So a training loop that only fills the input and target and reads {@link #loss()} moves one batch
 * up and four bytes down per step; a host-side optimizer that lends parameters and gradients moves
 * those too. {@link #release(String)} ends a loan.
 *
 * <p>Results are deterministic: the generated kernels use no atomics and reduce in a fixed order,
 * and launches run in order on one in-order queue.
 */
public final class OpenClNetwork implements Network, AutoCloseable {

    /** OpenCL C 1.2 and no fast-math flags (the source turns {@code FP_CONTRACT} off itself). */
    static final String BUILD_OPTIONS = "-cl-std=CL1.2";

    private static final class Slot {
        final Plan.Buffer buffer;
        final cl_mem mem;
        final long bytes;
        float[] floats;
        int[] ints;

        Slot(Plan.Buffer buffer, cl_mem mem) {
            this.buffer = buffer;
            this.mem = mem;
            this.bytes = (long) buffer.size() * buffer.dtype().bytes();
        }

        boolean lent() {
            return floats != null || ints != null;
        }

        Pointer host() {
            return floats != null ? Pointer.to(floats) : Pointer.to(ints);
        }
    }

    /** A kernel with its buffers set; {@code steps}: the positions of its step argument, set before each forward pass. */
    private record Bound(cl_kernel kernel, long global, int[] steps) {}

    private final Plan plan;
    private final OpenClDevices.Device device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program program;
    private final Map<String, cl_kernel> kernels = new LinkedHashMap<>();
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<Plan.Pass, List<Bound>> bound = new LinkedHashMap<>();
    private final Map<Plan.Pass, Set<String>> reads = new LinkedHashMap<>();
    private final Map<Plan.Pass, Set<String>> writes = new LinkedHashMap<>();
    private final List<TensorSpec> specs = new ArrayList<>();
    private boolean closed;
    /** The training step the next forward pass draws dropout masks for ({@link #setStep}). */
    private long step;

    /**
     * Builds the program, allocates every buffer (initialized to its plan fill value) and binds
     * every launch's arguments.
     *
     * @throws OpenClException with the full build log when the source does not build
     */
    public OpenClNetwork(Plan plan, String source, OpenClDevices.Device device) {
        this.plan = plan;
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(org.jocl.CL.CL_CONTEXT_PLATFORM, device.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
        @SuppressWarnings("deprecation")
        cl_command_queue q = clCreateCommandQueue(context, device.id(), 0, null);
        this.queue = q;
        try {
            this.program = build(source);
        } catch (RuntimeException e) {
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
            throw e;
        }
        for (Plan.Buffer b : plan.buffers()) {
            slots.put(b.name(), new Slot(b, allocate(b)));
            if (b.exposed()) {
                specs.add(b.spec());
            }
        }
        for (Plan.Pass pass : Plan.Pass.values()) {
            List<Bound> launches = new ArrayList<>();
            Set<String> r = new LinkedHashSet<>();
            Set<String> w = new LinkedHashSet<>();
            for (Plan.Launch l : plan.launches(pass)) {
                launches.add(new Bound(bind(l), l.global(),
                        java.util.stream.IntStream.range(0, l.args().size()).filter(i -> l.args().get(i).step()).toArray()));
                for (Plan.Arg a : l.args()) {
                    if (a.access().reads()) {
                        r.add(a.buffer());
                    }
                    if (a.access().writes()) {
                        w.add(a.buffer());
                    }
                }
            }
            bound.put(pass, launches);
            reads.put(pass, r);
            writes.put(pass, w);
        }
    }

    private cl_program build(String source) {
        cl_program p = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {device.id()}, BUILD_OPTIONS, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            clReleaseProgram(p);
            throw new OpenClException("the OpenCL kernels of network " + plan.network() + " do not build on "
                    + device.name() + " (" + e.getMessage() + "); the build log in full:\n" + log, false, e);
        }
        return p;
    }

    private String buildLog(cl_program p) {
        try {
            long[] size = new long[1];
            clGetProgramBuildInfo(p, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            clGetProgramBuildInfo(p, device.id(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
            return OpenClDevices.cString(buf);
        } catch (CLException e) {
            return "(no build log: " + e.getMessage() + ")";
        }
    }

    private cl_mem allocate(Plan.Buffer b) {
        Pointer init;
        if (b.dtype() == DType.I32) {
            init = Pointer.to(new int[b.size()]);
        } else {
            float[] f = new float[b.size()];
            Arrays.fill(f, b.fill());
            init = Pointer.to(f);
        }
        return clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                (long) b.size() * b.dtype().bytes(), init, null);
    }

    private cl_kernel bind(Plan.Launch l) {
        cl_kernel k = clCreateKernel(program, l.kernel(), null);
        kernels.put(l.kernel() + "#" + kernels.size(), k);
        for (int i = 0; i < l.args().size(); i++) {
            if (l.args().get(i).step()) {
                clSetKernelArg(k, i, Sizeof.cl_ulong, Pointer.to(new long[] {step}));
            } else {
                clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(slots.get(l.args().get(i).buffer()).mem));
            }
        }
        return k;
    }

    /** The device this network runs on. */
    public OpenClDevices.Device device() {
        return device;
    }

    /** The plan it runs. */
    public Plan plan() {
        return plan;
    }

    private void run(Plan.Pass pass) {
        checkOpen();
        for (String name : reads.get(pass)) {
            Slot s = slots.get(name);
            if (s.lent()) {
                clEnqueueWriteBuffer(queue, s.mem, CL_TRUE, 0, s.bytes, s.host(), 0, null, null);
            }
        }
        for (Bound b : bound.get(pass)) {
            for (int i : b.steps()) {
                clSetKernelArg(b.kernel(), i, Sizeof.cl_ulong, Pointer.to(new long[] {step}));
            }
            clEnqueueNDRangeKernel(queue, b.kernel(), 1, null, new long[] {b.global()}, null, 0, null, null);
        }
        clFinish(queue);
        for (String name : writes.get(pass)) {
            Slot s = slots.get(name);
            if (s.lent()) {
                download(s);
            }
        }
    }

    private void download(Slot s) {
        clEnqueueReadBuffer(queue, s.mem, CL_TRUE, 0, s.bytes, s.host(), 0, null, null);
    }

    @Override
    public void forward() {
        run(Plan.Pass.FORWARD);
        step++;
    }

    /** The step of the next forward pass's dropout masks; each forward pass advances it by one. */
    @Override
    public void setStep(long step) {
        this.step = step;
    }

    @Override
    public void infer() {
        run(Plan.Pass.INFER);
    }

    @Override
    public void backward() {
        run(Plan.Pass.BACKWARD);
    }

    @Override
    public float loss() {
        checkOpen();
        Slot s = slots.get(plan.loss());
        if (s.lent()) {
            return s.floats[0];
        }
        float[] one = new float[1];
        clEnqueueReadBuffer(queue, s.mem, CL_TRUE, 0, Sizeof.cl_float, Pointer.to(one), 0, null, null);
        return one[0];
    }

    /** Downloads the buffer on its first request and lends the array out (see the class comment). */
    @Override
    public float[] tensor(String name) {
        Slot s = exposed(name, DType.F32);
        if (s.floats == null) {
            s.floats = new float[s.buffer.size()];
            download(s);
        }
        return s.floats;
    }

    @Override
    public int[] path(String name) {
        Slot s = exposed(name, DType.I32);
        if (s.ints == null) {
            s.ints = new int[s.buffer.size()];
            download(s);
        }
        return s.ints;
    }

    /**
     * Ends the loan of a buffer: after uploading what the caller may have written to it, the array
     * is no longer kept in step with the device. A later {@link #tensor(String)} downloads again.
     */
    public void release(String name) {
        checkOpen();
        Slot s = slots.get(name);
        if (s != null && s.lent()) {
            clEnqueueWriteBuffer(queue, s.mem, CL_TRUE, 0, s.bytes, s.host(), 0, null, null);
            s.floats = null;
            s.ints = null;
        }
    }

    private Slot exposed(String name, DType dtype) {
        checkOpen();
        Slot s = slots.get(name);
        if (s == null || !s.buffer.exposed() || s.buffer.dtype() != dtype) {
            throw new IllegalArgumentException("network " + plan.network() + " has no "
                    + (dtype == DType.I32 ? "path" : "float") + " tensor '" + name + "'");
        }
        return s;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("OpenCL network " + plan.network() + " is closed");
        }
    }

    @Override
    public String name() {
        return plan.network();
    }

    @Override
    public int batch() {
        return plan.batch();
    }

    @Override
    public List<TensorSpec> tensors() {
        return List.copyOf(specs);
    }

    @Override
    public String[] parameterNames() {
        return plan.parameters().toArray(new String[0]);
    }

    @Override
    public String inputName() {
        return plan.input();
    }

    @Override
    public String targetName() {
        return plan.target();
    }

    @Override
    public String outputName() {
        return plan.output();
    }

    /** Releases every device object; the network is unusable afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        kernels.values().forEach(k -> clReleaseKernel(k));
        slots.values().forEach(s -> clReleaseMemObject(s.mem));
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
