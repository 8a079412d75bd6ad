package cnnc.backend.java;

import cnnc.ir.Buffer;
import cnnc.ir.DType;
import cnnc.ir.Graph;
import cnnc.ir.GraphHash;
import cnnc.ir.Init;
import cnnc.ir.Lowering;
import cnnc.ir.Model;
import cnnc.ir.Role;
import cnnc.ir.Step;
import cnnc.ops.BnGrad;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The Java backend: one class per network and batch size implementing {@code cnnc.runtime.Network}
 * (and {@code cnnc.runtime.exec.ChunkTask}), specialized to every shape.
 *
 * <p>Structure of a generated class: one {@code final} array field per buffer (allocated once, as
 * the object is built; see {@link Names} for how names are mangled) and per step scratch array; the
 * {@link cnnc.runtime.Network} methods; {@code forward()}, {@code infer()} and {@code backward()}
 * that run the steps in order, each either inline or split over the pool's threads; one main method
 * per step {@code f<i>_<op>_<node>(int chunk)} plus its helpers, each commented with the
 * operation, its formula and its .cnn line; {@code runChunk}, the pool's entry; and {@code dot}.
 *
 * <p>A model compiled without training (no backward graph) gives the <em>inference variant</em>:
 * no sensitivities, gradients, path tensors or saved bn statistics, bn on its running statistics
 * only, {@code forward()} the same as {@code infer()}. The public API of both variants, which
 * applications embedding generated classes rely on, is described in {@link ClassDoc} and
 * {@code docs/embedding.md}.
 */
public final class JavaBackend {

    /** Steps with fewer multiply-adds than this run on the calling thread: handing out costs more. */
    static final long PARALLEL_WORK = 40_000;

    static final ClassName NETWORK = ClassName.get("cnnc.runtime", "Network");
    static final ClassName TENSOR_SPEC = ClassName.get("cnnc.runtime", "TensorSpec");
    static final ClassName ROLE = TENSOR_SPEC.nestedClass("Role");
    static final ClassName INIT = TENSOR_SPEC.nestedClass("Init");
    static final ClassName RT_DTYPE = ClassName.get("cnnc.runtime", "DType");
    static final ClassName CHUNK_TASK = ClassName.get("cnnc.runtime.exec", "ChunkTask");
    static final ClassName CHUNK_POOL = ClassName.get("cnnc.runtime.exec", "ChunkPool");
    static final ClassName LIST = ClassName.get("java.util", "List");
    static final ClassName FLOAT_VECTOR = ClassName.get("jdk.incubator.vector", "FloatVector");
    static final ClassName VECTOR_SPECIES = ClassName.get("jdk.incubator.vector", "VectorSpecies");
    static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
    static final TypeName INTS = ArrayTypeName.of(TypeName.INT);

    /** Generated source: the class's binary name and its formatted text. */
    public record Source(String packageName, String className, String text) {
        public String qualifiedName() {
            return packageName.isEmpty() ? className : packageName + "." + className;
        }

        /** {@code pkg/Name.java}. */
        public String relativePath() {
            return (packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/") + className + ".java";
        }
    }

    /**
     * What a class does with the memory of its <em>transient</em> tensors, those only one pass reads:
     * the sensitivities ({@code grad.c1}, partials of fanned-out tensors), which only
     * {@code backward()} reads, and the activations only {@code forward()} reads (a conv's output
     * that only a relu takes; in an inference class every activation between input and output).
     */
    public enum Memory {
        /** Each has an array of its own, readable after a pass ({@code tensor("grad.c1")}): what inspection needs. */
        KEPT,
        /**
         * Each lives from the first to the last unit of its pass that touches it ({@link TransientLives}):
         * those whose lives do not overlap share arrays, with each other and with the kernels'
         * temporary scratch ({@link ScratchSlots}), and {@code tensor()} and {@code tensors()} leave
         * them out. The same bits; what {@code cnnc train}, {@code eval}, {@code predict}, {@code bench} and
         * Spark's executors build, and {@code cnnc generate --shared-memory} writes.
         */
        SHARED
    }

    private final Model model;
    private final String pkg;
    private final boolean inference;
    private final Memory memory;
    private final List<StepCtx> forwardSteps = new ArrayList<>();
    private final List<StepCtx> backwardSteps = new ArrayList<>();

    private final boolean vector;
    /** The profiled variant ({@link #generateProfiled}): every phase its own unit, each timed. */
    private final boolean profiled;
    private final Map<String, String> shared = new LinkedHashMap<>();
    private List<Unit> forwardUnits;
    private List<Unit> backwardUnits;

    private JavaBackend(Model model, String pkg, boolean vector, boolean profiled, Memory memory) {
        cnnc.passes.Pipeline.requireLowered(model);
        this.model = model;
        this.memory = memory;
        this.pkg = pkg == null ? "" : pkg;
        this.vector = vector;
        this.profiled = profiled;
        this.inference = model.backward().isEmpty();
    }

    /**
     * Generates the class of {@code model} in package {@code pkg} ("" for none), with Vector API
     * kernels when this JVM has {@code jdk.incubator.vector} (see {@link #vectorAvailable()}).
     */
    public static Source generate(Model model, String pkg) {
        return generate(model, pkg, vectorAvailable());
    }

    /**
     * Generates the class of {@code model}; with {@code vector} the convolution and full-layer kernels
     * use {@code jdk.incubator.vector}, and the class then needs {@code --add-modules jdk.incubator.vector}
     * wherever it is compiled and run. Without it the class is plain Java and runs anywhere.
     */
    public static Source generate(Model model, String pkg, boolean vector) {
        return generate(model, pkg, vector, Memory.KEPT);
    }

    /** {@link #generate(Model, String, boolean)}, the transient tensors' memory as {@code memory} says. */
    public static Source generate(Model model, String pkg, boolean vector, Memory memory) {
        return new JavaBackend(model, pkg, vector, false, memory).build();
    }

    /**
     * The class of {@code model} instrumented for {@code cnnc bench}'s per-step profile: no by-sample
     * fusion (every phase of every step is its own parallel step, so each can be timed by the wall
     * clock), and the time of each added to {@code long[] profileNanos}; what each entry is, in the
     * static arrays {@link Profile} describes. Same kernels, same results as {@link #generate}.
     */
    public static Source generateProfiled(Model model, String pkg, boolean vector) {
        return new JavaBackend(model, pkg, vector, true, Memory.KEPT).build();
    }

    /**
     * How each convolution step of {@code model} is computed on this backend, one line per step
     * ({@code conv 'c2' (file:line) forward: direct, Vector API, register tile ...}), as
     * {@link #generate(Model, String, boolean)} would emit it: what {@code cnnc check} shows.
     */
    public static List<String> convKernels(Model model, boolean vector) {
        return inspect(model, vector).convKernels();
    }

    /** What {@code cnnc check} shows of {@code model}'s class: {@link #convKernels}, its {@link ScratchMemory} and its {@link TransientMemory}. */
    public record Inspection(List<String> convKernels, ScratchMemory scratch, TransientMemory transients) {}

    /** The class of {@code model} as {@link #generate(Model, String, boolean)} would emit it, seen without writing it. */
    public static Inspection inspect(Model model, boolean vector) {
        JavaBackend b = new JavaBackend(model, "", vector, false, Memory.SHARED); // SHARED: what transientLives sees
        b.emitSteps();
        List<String> kernels = new ArrayList<>();
        for (StepCtx s : b.all()) {
            if (!s.kernel.isEmpty()) {
                String kind = Profile.entry(s, s.name, s.forward).kind();
                kernels.add(kind + " '" + s.step.node() + "' (" + s.step.pos().fileLine() + "): " + s.kernel);
            }
        }
        List<Unit> units = b.assignUnits();
        List<ScratchSlots.Use> uses = b.temporaries(units);
        List<ScratchSlots.Slot> slots = ScratchSlots.assign(uses);
        long kept = b.all().stream().flatMap(st -> st.scratch.stream()).filter(StepCtx.Scratch::kept).mapToLong(StepCtx.Scratch::size).sum();
        List<ScratchSlots.Use> lives = b.transientLives(units);
        return new Inspection(kernels, new ScratchMemory(kept, uses.stream().mapToLong(ScratchSlots.Use::size).sum(),
                slots.stream().mapToLong(ScratchSlots.Slot::size).sum(), slots.size()),
                new TransientMemory(lives.stream().mapToLong(ScratchSlots.Use::size).sum(),
                        ScratchSlots.assign(sharing(uses, lives)).stream().mapToLong(ScratchSlots.Slot::size).sum()));
    }

    /**
     * The memory of a training class's transient tensors, in floats: {@code own}, each with an array of
     * its own ({@link Memory#KEPT}); and {@code sharedWithScratch}, the arrays that hold them
     * and the temporary scratch together when they share ({@link Memory#SHARED}).
     */
    public record TransientMemory(long own, long sharedWithScratch) {}

    /**
     * Whether this JVM was started with {@code jdk.incubator.vector} in its boot layer and the system
     * property {@code cnnc.vector} is not {@code false}: then in-process compiled classes can use it.
     */
    public static boolean vectorAvailable() {
        return !"false".equals(System.getProperty("cnnc.vector"))
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Runs every step's emitter, forward then backward. */
    private void emitSteps() {
        List<Step> fwd = model.forward().steps();
        for (int i = 0; i < fwd.size(); i++) {
            StepCtx s = new StepCtx(fwd.get(i), true, i, inference, vector, shared, model.train().seed());
            Emitters.emit(s);
            forwardSteps.add(s);
        }
        if (model.backward().isPresent()) {
            List<Step> bwd = model.backwardGraph().steps();
            for (int i = 0; i < bwd.size(); i++) {
                if (bwd.get(i).op() instanceof BnGrad && bwd.get(i).lowering().fusion() instanceof Lowering.Fusion.Absorbed) {
                    continue; // its bn_bf writes Δγ and Δβ (fuse-bn-backward)
                }
                StepCtx s = new StepCtx(bwd.get(i), false, i, inference, vector, shared, model.train().seed());
                Emitters.emit(s);
                backwardSteps.add(s);
            }
        }
    }

    private Source build() {
        emitSteps();
        String cls = Names.className(model.name(), model.batch());
        Map<String, Buffer> buffers = allBuffers();
        TypeSpec.Builder t = TypeSpec.classBuilder(cls).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(NETWORK).addSuperinterface(CHUNK_TASK)
                .addJavadoc("$L", ClassDoc.render(model, cls, buffers.values()));
        String kernels = kernelDoc();
        if (!kernels.isEmpty()) {
            t.addJavadoc("\n<p><b>Convolution kernels</b> (the {@code conv-kernels} pass's choice, from the shapes):\n<ul>\n$L</ul>\n", kernels);
        }
        constants(t);
        List<Unit> units = assignUnits();
        List<ScratchSlots.Use> lives = transientLives(units);
        Set<String> sharedFields = new HashSet<>();
        lives.forEach(u -> sharedFields.add(u.field()));
        for (Buffer b : buffers.values()) {
            if (sharedFields.contains(Names.field(b))) {
                continue; // declared after the shared arrays (scratchFields)
            }
            TypeName type = b.dtype() == DType.I32 ? INTS : FLOATS;
            t.addField(FieldSpec.builder(type, Names.field(b), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L: $L $L$L\n", b.name(), b.role().name().toLowerCase(java.util.Locale.ROOT), b.shape(), where(b))
                    .initializer("new $L[$L]", b.dtype() == DType.I32 ? "int" : "float", b.shape().size()).build());
        }
        scratchFields(t, units, lives, buffers);
        if (vector) {
            t.addField(FieldSpec.builder(ParameterizedTypeName.get(VECTOR_SPECIES, ClassName.get(Float.class)), "S",
                            Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("The Vector API shape of every vector kernel: 8 floats (a constant, so C2 intrinsifies).\n")
                    .initializer("$T.SPECIES_256", FLOAT_VECTOR).build());
        }
        // Type arguments for javac's sake (no raw-type warnings in an application's build); Janino ignores them.
        ClassName hashMap = ClassName.get("java.util", "HashMap");
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(LIST, TENSOR_SPEC), "specs", Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new $T<$T>()", ClassName.get("java.util", "ArrayList"), TENSOR_SPEC).build());
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(hashMap, ClassName.get(String.class), FLOATS), "floats",
                Modifier.PRIVATE, Modifier.FINAL).initializer("new $T<$T, $T>()", hashMap, String.class, FLOATS).build());
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(hashMap, ClassName.get(String.class), INTS), "ints",
                Modifier.PRIVATE, Modifier.FINAL).initializer("new $T<$T, $T>()", hashMap, String.class, INTS).build());
        t.addField(FieldSpec.builder(CHUNK_POOL, "pool", Modifier.PRIVATE).initializer("new $T(1)", CHUNK_POOL).build());
        if (!inference) {
            t.addField(FieldSpec.builder(TypeName.BOOLEAN, "training", Modifier.PRIVATE)
                    .addJavadoc("Whether the running forward pass is training (bn: batch statistics).\n").build());
        }
        if (drawsMasks()) {
            t.addField(FieldSpec.builder(TypeName.LONG, DropoutEmitter.STEP, Modifier.PRIVATE)
                    .addJavadoc("The training step the next forward() draws dropout masks for (setStep; each forward() advances it).\n")
                    .build());
        }
        if (profiled) {
            List<Profile.Entry> entries = new ArrayList<>();
            for (Unit u : units) {
                entries.add(Profile.entry(u.owners().get(0), u.method(), u.index() < forwardUnits.size()));
            }
            Profile.fields(t, entries);
        }
        t.addMethod(constructor(buffers, sharedFields));
        List<String> transients = buffers.values().stream().filter(b -> sharedFields.contains(Names.field(b))).map(Buffer::name).toList();
        networkMethods(t, buffers, transients);
        t.addMethod(runChunk(units));
        for (Unit u : units) {
            if (u.phases().size() > 1) {
                t.addMethod(fused(u));
            }
        }
        for (StepCtx s : all()) {
            t.addFields(s.fields);
            t.addMethods(s.methods);
        }
        t.addMethod(dot());
        if (vector) {
            t.addMethod(sum8());
        }
        if (all().stream().anyMatch(s -> s.wide)) {
            wideFields(t);
        }
        JavaFile file = JavaFile.builder(pkg, t.build()).indent(Code.INDENT).skipJavaLangImports(true)
                .addFileComment("Generated by cnnc from $L: network $L, batch $L. Do not edit.", model.source().name(),
                        model.name(), model.batch())
                .build();
        return new Source(pkg, cls, file.toString());
    }

    /**
     * The steps' scratch arrays: kept ones with memory of their own, temporary ones as references to
     * the shared arrays {@link ScratchSlots} assigns from the units that run each step; and, with
     * {@link Memory#SHARED}, the transient tensors that live in those arrays too ({@code lives}).
     */
    private void scratchFields(TypeSpec.Builder t, List<Unit> units, List<ScratchSlots.Use> lives, Map<String, Buffer> buffers) {
        List<ScratchSlots.Slot> slots = ScratchSlots.assign(sharing(temporaries(units), lives));
        Map<String, ScratchSlots.Slot> slotOf = new LinkedHashMap<>();
        for (ScratchSlots.Slot sl : slots) {
            StringBuilder users = new StringBuilder(sl.uses().stream().anyMatch(lives::contains)
                    ? "Memory of scratch and transient tensors never alive at the same time:"
                    : "Scratch memory of steps that never run at the same time:");
            int width = users.length();
            for (ScratchSlots.Use u : sl.uses()) {
                slotOf.put(u.field(), sl);
                boolean wrap = width + 1 + u.field().length() > 96;
                users.append(wrap ? '\n' : ' ').append(u.field());
                width = (wrap ? 0 : width + 1) + u.field().length();
            }
            t.addField(FieldSpec.builder(FLOATS, sl.field(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L.\n", users)
                    .initializer("new float[$L]", sl.size()).build());
        }
        for (Buffer b : buffers.values()) {
            ScratchSlots.Slot sl = slotOf.get(Names.field(b));
            if (sl != null) {
                t.addField(FieldSpec.builder(FLOATS, Names.field(b), Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("$L: $L $L$L, read only inside $L: memory shared in $L.\n", b.name(),
                                b.role().name().toLowerCase(java.util.Locale.ROOT), b.shape(), where(b),
                                b.role() == Role.ACTIVATION ? "forward() and infer()" : "backward()", sl.field())
                        .initializer("$L", sl.field()).build());
            }
        }
        for (StepCtx s : all()) {
            for (StepCtx.Scratch sc : s.scratch) {
                ScratchSlots.Slot sl = slotOf.get(sc.field());
                FieldSpec.Builder f = FieldSpec.builder(FLOATS, sc.field(), Modifier.PRIVATE, Modifier.FINAL);
                if (sl == null) {
                    f.addJavadoc("Scratch of $L, kept from one run to the next$L.\n", s.name, sc.doc() == null ? "" : ": " + sc.doc())
                            .initializer("new float[$L]", sc.size());
                } else {
                    f.addJavadoc("Scratch of $L ($L floats), written before read in each run: memory shared in $L.\n", s.name, sc.size(),
                            sl.field()).initializer("$L", sl.field());
                }
                t.addField(f.build());
            }
        }
    }

    /** What shares the class's scratch arrays: the temporaries and the transient tensors' lives (the class and {@link #inspect} alike). */
    private static List<ScratchSlots.Use> sharing(List<ScratchSlots.Use> temporaries, List<ScratchSlots.Use> lives) {
        List<ScratchSlots.Use> uses = new ArrayList<>(temporaries);
        uses.addAll(lives);
        return uses;
    }

    /** The first and last of {@code units} that run each step. */
    private static Map<StepCtx, int[]> spans(List<Unit> units) {
        Map<StepCtx, int[]> runs = new LinkedHashMap<>();
        for (Unit u : units) {
            for (StepCtx s : u.owners()) {
                runs.computeIfAbsent(s, k -> new int[] {u.index(), u.index()})[1] = u.index();
            }
        }
        return runs;
    }

    /** The temporary scratch arrays of the steps, each with the first and last of {@code units} that run its step. */
    private List<ScratchSlots.Use> temporaries(List<Unit> units) {
        Map<StepCtx, int[]> runs = spans(units);
        List<ScratchSlots.Use> uses = new ArrayList<>();
        for (StepCtx s : all()) {
            for (StepCtx.Scratch sc : s.scratch) {
                if (!sc.kept()) {
                    int[] r = runs.get(s);
                    uses.add(new ScratchSlots.Use(sc.field(), sc.size(), r[0], r[1]));
                }
            }
        }
        return uses;
    }

    /** With {@link Memory#SHARED}, the transient tensors that can share memory and their lives ({@link TransientLives}). */
    private List<ScratchSlots.Use> transientLives(List<Unit> units) {
        if (memory == Memory.KEPT) {
            return List.of();
        }
        Map<StepCtx, int[]> runs = spans(units);
        Map<Step, int[]> bySteps = new LinkedHashMap<>();
        for (StepCtx s : all()) {
            if (runs.containsKey(s)) {
                bySteps.put(s.step, runs.get(s));
            }
        }
        return TransientLives.of(model, bySteps);
    }

    /**
     * The scratch memory of a generated class, in floats: arrays {@code kept} between runs, the
     * {@code temporary} arrays as the steps ask for them, and the {@code shared} arrays
     * ({@code arrays} of them) that hold those ({@link ScratchSlots}).
     */
    public record ScratchMemory(long kept, long temporary, long shared, int arrays) {}

    /** Cuts the emitted steps into units (fused unless profiled), forward then backward; returns them all in run order. */
    private List<Unit> assignUnits() {
        forwardUnits = units(forwardSteps, 0, !profiled);
        backwardUnits = units(backwardSteps, forwardUnits.size(), !profiled);
        List<Unit> units = new ArrayList<>(forwardUnits);
        units.addAll(backwardUnits);
        return units;
    }

    /** Whether a training forward pass draws dropout masks: the class then keeps the step. */
    private boolean drawsMasks() {
        return !inference && model.forward().steps().stream().anyMatch(st -> st.op() instanceof cnnc.ops.Dropout);
    }

    /** One {@code <li>} per convolution step: its kind, node, line and kernel (what {@code cnnc check} lists). */
    private String kernelDoc() {
        StringBuilder d = new StringBuilder();
        for (StepCtx s : all()) {
            if (!s.kernel.isEmpty()) {
                d.append("<li>").append(Profile.entry(s, s.name, s.forward).kind()).append(" '").append(s.step.node()).append("' (")
                        .append(s.step.pos().fileLine()).append("): ").append(s.kernel).append('\n');
            }
        }
        return d.toString();
    }

    private List<StepCtx> all() {
        List<StepCtx> a = new ArrayList<>(forwardSteps);
        a.addAll(backwardSteps);
        return a;
    }

    private String where(Buffer b) {
        var pos = model.place(b.node());
        return pos.known() ? " (" + pos.fileLine() + ")" : "";
    }

    /** Every buffer the class allocates; the inference variant leaves out path tensors and saved statistics. */
    private Map<String, Buffer> allBuffers() {
        Map<String, Buffer> m = new LinkedHashMap<>(model.forward().buffers());
        model.backward().map(Graph::buffers).ifPresent(m::putAll);
        if (inference) {
            m.values().removeIf(b -> b.role().forBackwardOnly());
        }
        return m;
    }

    /** {@code NETWORK}, {@code BATCH}, {@code INPUT}, {@code OUTPUT}, {@code TARGET}, {@code INFERENCE}, {@code GRAPH_HASH}. */
    private void constants(TypeSpec.Builder t) {
        ClassName string = ClassName.get(String.class);
        t.addField(constant(string, "NETWORK", "$S", model.name(), "The network's name in the .cnn file."));
        t.addField(constant(TypeName.INT, "BATCH", "$L", model.batch(), "The batch size T every buffer is specialized to."));
        t.addField(constant(string, "INPUT", "$S", model.input().name(), "Name of the input tensor, shape " + dims(model.input()) + "."));
        if (model.output() != null) {
            t.addField(constant(string, "OUTPUT", "$S", model.output().name(),
                    "Name of the output tensor (the softmax the loss reads), shape " + dims(model.output()) + "."));
        }
        if (model.target() != null) {
            t.addField(constant(string, "TARGET", "$S", model.target().name(), "Name of the target tensor, shape "
                    + dims(model.target()) + "."));
        }
        t.addField(constant(TypeName.BOOLEAN, "INFERENCE", "$L", inference,
                "Whether this is the inference variant (no backward pass)."));
        t.addField(constant(string, "GRAPH_HASH", "$S", GraphHash.of(model),
                "The identity of the forward graph, as {@code cnnc train} stores it in weight files (metadata {@code graph_hash})."));
    }

    private static FieldSpec constant(TypeName type, String name, String format, Object value, String doc) {
        return FieldSpec.builder(type, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc).initializer(format, value).build();
    }

    /** {@code [T, C, H, W]}. */
    static String dims(Buffer b) {
        return b.shape().dims().toString();
    }

    /** Allocates and lists the buffers; {@code shared}: the fields of transient tensors living in shared arrays, not listed. */
    private MethodSpec constructor(Map<String, Buffer> buffers, Set<String> shared) {
        Code c = new Code();
        c.comment("bn starts at γ = 1, β = 0, running mean 0, running variance 1 (docs/language.md §3)");
        for (Buffer b : buffers.values()) {
            if (b.init() == Init.ONE) {
                c.line("java.util.Arrays.fill(" + Names.field(b) + ", 1f)");
            }
        }
        for (Buffer b : buffers.values()) {
            var role = b.role().runtime();
            if (role == null || shared.contains(Names.field(b))) {
                continue;
            }
            String dims = b.shape().dims().toString().replace('[', '{').replace(']', '}');
            if (b.role() == Role.LOSS) {
                dims = "{}";
            }
            if (b.init() == Init.ZERO) {
                c.fmt("specs.add(new $T($S, $T.$L, $T.$L, new int[] $L))", TENSOR_SPEC, b.name(), ROLE, role.name(), RT_DTYPE,
                        b.dtype().name(), dims);
            } else {
                c.fmt("specs.add(new $T($S, $T.$L, $T.$L, new int[] $L, $T.$L))", TENSOR_SPEC, b.name(), ROLE, role.name(), RT_DTYPE,
                        b.dtype().name(), dims, INIT, b.init().runtime().name());
            }
            c.fmt("$L.put($S, $L)", b.dtype() == DType.I32 ? "ints" : "floats", b.name(), Names.field(b));
        }
        return MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("Allocates every buffer; parameters start at zero (load or initialize them).\n")
                .addCode(c.build()).build();
    }

    /** The methods of {@code Network}; {@code transients}: the .cnn names of the tensors in shared memory, which tensor() names as such. */
    private void networkMethods(TypeSpec.Builder t, Map<String, Buffer> buffers, List<String> transients) {
        t.addMethod(simple("name", ClassName.get(String.class), "return \"" + model.name() + "\""));
        t.addMethod(simple("batch", TypeName.INT, "return " + model.batch()));
        t.addMethod(simple("graphHash", ClassName.get(String.class), "return GRAPH_HASH"));
        if (inference) {
            t.addMethod(MethodSpec.methodBuilder("forward").addModifiers(Modifier.PUBLIC)
                    .addJavadoc("The same as {@link #infer()}: this inference variant has no training mode.\n")
                    .addCode(new Code().line("infer()").build()).build());
            t.addMethod(pass("infer", "The forward pass in inference mode (bn: running statistics).", null, forwardUnits));
        } else {
            MethodSpec forward = pass("forward", "The forward pass in training mode (bn: batch statistics, running statistics updated).",
                    "training = true", forwardUnits);
            if (drawsMasks()) {
                forward = forward.toBuilder().addJavadoc("Dropout draws its masks for the step {@link #setStep} set, then advances it.\n")
                        .addCode(new Code().line(DropoutEmitter.STEP + "++").build()).build();
                t.addMethod(MethodSpec.methodBuilder("setStep").addModifiers(Modifier.PUBLIC).addParameter(TypeName.LONG, "s")
                        .addJavadoc("The training step the next forward() draws its dropout masks for (cnnc.runtime.DropoutMask).\n")
                        .addCode(new Code().line(DropoutEmitter.STEP + " = s").build()).build());
            }
            t.addMethod(forward);
            t.addMethod(pass("infer", "The forward pass in inference mode (bn: running statistics).", "training = false",
                    forwardUnits));
        }
        // A training model whose loss depends on no parameter has an empty backward pass, not none.
        if (inference) {
            t.addMethod(simple("backward", TypeName.VOID,
                    "throw new IllegalStateException(\"" + model.name() + " was generated for inference: it has no backward pass\")"));
        } else {
            t.addMethod(pass("backward", "The backward pass for the last forward(): every sensitivity and gradient.", null,
                    backwardUnits));
        }
        t.addMethod(simple("loss", TypeName.FLOAT, model.loss() == null ? "return Float.NaN" : "return " + Names.field(model.loss()) + "[0]"));
        if (!transients.isEmpty()) {
            t.addField(FieldSpec.builder(ClassName.get(String.class), "TRANSIENT", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("The tensors in shared memory, between commas: tensor() says why it has none of them.\n")
                    .initializer("$S", "," + String.join(",", transients) + ",").build());
        }
        t.addMethod(lookup("tensor", FLOATS, "floats", "float", !transients.isEmpty()));
        t.addMethod(lookup("path", INTS, "ints", "path", false));
        t.addMethod(simple("tensors", ParameterizedTypeName.get(LIST, TENSOR_SPEC), "return java.util.Collections.unmodifiableList(specs)"));
        StringBuilder params = new StringBuilder();
        for (Buffer b : buffers.values()) {
            if (b.role() == Role.PARAMETER) {
                params.append(params.isEmpty() ? "" : ", ").append('"').append(b.name()).append('"');
            }
        }
        t.addMethod(simple("parameterNames", ArrayTypeName.of(String.class), "return new String[] {" + params + "}"));
        t.addMethod(simple("inputName", ClassName.get(String.class), "return " + quote(model.input())));
        t.addMethod(simple("targetName", ClassName.get(String.class), "return " + quote(model.target())));
        t.addMethod(simple("outputName", ClassName.get(String.class), "return " + quote(model.output())));
        t.addMethod(MethodSpec.methodBuilder("input").addModifiers(Modifier.PUBLIC).returns(FLOATS)
                .addJavadoc("The live input buffer {@code $L}, $L: write images here, then call {@link #infer()}.\n",
                        model.input().name(), dims(model.input()))
                .addCode(new Code().line("return " + Names.field(model.input())).build()).build());
        if (model.output() != null) {
            t.addMethod(MethodSpec.methodBuilder("output").addModifiers(Modifier.PUBLIC).returns(FLOATS)
                    .addJavadoc("The live output buffer {@code $L}, $L: class probabilities after {@link #infer()}.\n",
                            model.output().name(), dims(model.output()))
                    .addCode(new Code().line("return " + Names.field(model.output())).build()).build());
        }
        t.addMethod(MethodSpec.methodBuilder("setThreads").addModifiers(Modifier.PUBLIC).addParameter(TypeName.INT, "n")
                .addJavadoc("Results are bit-identical for every {@code n}: chunks are fixed, only who runs them varies.\n")
                .addCode(new Code().open("if (n != pool.threads())").line("pool.close()").fmt("pool = new $T(n)", CHUNK_POOL).close().build())
                .build());
    }

    private static String quote(Buffer b) {
        return b == null ? "null" : "\"" + b.name() + "\"";
    }

    private static MethodSpec simple(String name, TypeName returns, String statement) {
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(returns)
                .addCode(new Code().line(statement).build()).build();
    }

    /** A lookup by .cnn name; with {@code transients}, naming a tensor in shared memory ({@code TRANSIENT}) says so. */
    private static MethodSpec lookup(String name, TypeName returns, String map, String what, boolean transients) {
        String type = returns == INTS ? "int[]" : "float[]";
        Code c = new Code().line("Object a = " + map + ".get(name)");
        if (transients) {
            c.open("if (a == null && TRANSIENT.contains(\",\" + name + \",\"))")
                    .line("throw new IllegalArgumentException(\"tensor '\" + name + \"' is transient: this class was generated with shared"
                            + " memory, where it shares an array with other tensors and is not kept after a pass\")")
                    .close();
        }
        c.open("if (a == null)")
                .line("throw new IllegalArgumentException(\"network has no " + what + " tensor '\" + name + \"'\")")
                .close()
                .line("return (" + type + ") a");
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(returns)
                .addParameter(String.class, "name").addCode(c.build()).build();
    }

    /**
     * What one {@code pool.run} (or one inline loop) executes: a single phase, or consecutive
     * by-sample phases of one per-sample run (the {@code sample-runs} pass's {@code Lowering.run})
     * fused into one chunk per sample, so a sample's maps stay in cache from one step to the next and
     * the threads meet once instead of once per step. Fusing changes no arithmetic: each sample's
     * steps run in the same order on one thread.
     */
    private record Unit(int index, List<StepCtx> owners, List<StepCtx.Phase> phases) {
        String method() {
            return phases.size() == 1 ? phases.get(0).method() : "s" + index + "_by_sample";
        }

        int chunks() {
            return phases.get(0).chunks();
        }

        long work() {
            return phases.stream().mapToLong(StepCtx.Phase::work).sum();
        }
    }

    /**
     * The units of {@code steps}, numbered from {@code base}: by-sample phases next to each other in
     * one per-sample run (as the IR records it) merge; {@code fuse} false (the profiled variant) keeps
     * every phase apart.
     */
    private static List<Unit> units(List<StepCtx> steps, int base, boolean fuse) {
        List<Unit> units = new ArrayList<>();
        List<StepCtx> owners = new ArrayList<>();
        List<StepCtx.Phase> run = new ArrayList<>();
        for (StepCtx s : steps) {
            for (StepCtx.Phase ph : s.phases) {
                boolean joins = fuse && ph.bySample() && !run.isEmpty() && run.get(run.size() - 1).bySample()
                        && run.get(0).chunks() == ph.chunks() && s.step.lowering().run() >= 0
                        && owners.get(owners.size() - 1).step.lowering().run() == s.step.lowering().run();
                if (!joins && !run.isEmpty()) {
                    units.add(new Unit(base + units.size(), List.copyOf(owners), List.copyOf(run)));
                    owners.clear();
                    run.clear();
                }
                owners.add(s);
                run.add(ph);
            }
        }
        if (!run.isEmpty()) {
            units.add(new Unit(base + units.size(), List.copyOf(owners), List.copyOf(run)));
        }
        return units;
    }

    private MethodSpec pass(String name, String doc, String first, List<Unit> units) {
        Code c = new Code();
        if (first != null) {
            c.line(first);
        }
        for (Unit u : units) {
            String last = null;
            for (StepCtx s : u.owners()) {
                String note = s.step.op().mnemonic() + " '" + s.step.node() + "' (" + s.step.pos().fileLine() + ")";
                if (!note.equals(last)) {
                    c.comment(note);
                }
                last = note;
            }
            if (profiled) {
                c.open("").line("long t0 = System.nanoTime()");
            }
            String guard = u.phases().get(0).guard(); // a guarded phase is a unit of its own (never by sample)
            if (guard != null) {
                c.open("if (" + guard + "())");
            }
            if (u.chunks() > 1 && u.work() >= PARALLEL_WORK) {
                c.line("pool.run(this, " + u.index() + ", " + u.chunks() + ")");
            } else if (u.chunks() == 1) {
                c.line(u.method() + "(0)");
            } else {
                c.loop("chunk", 0, u.chunks(), u.method() + "(chunk)");
            }
            if (guard != null) {
                c.close();
            }
            if (profiled) {
                c.line("profileNanos[" + u.index() + "] += System.nanoTime() - t0").close();
            }
        }
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).addJavadoc("$L\n", doc).addCode(c.build()).build();
    }

    /** The method of a fused unit: its phases for one sample, in order. */
    private static MethodSpec fused(Unit u) {
        Code c = new Code();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < u.phases().size(); i++) {
            StepCtx s = u.owners().get(i);
            c.line(u.phases().get(i).method() + "(chunk)");
            if (i == 0 || u.owners().get(i - 1) != s) {
                names.add(s.step.op().mnemonic() + " '" + s.step.node() + "' (" + s.step.pos().fileLine() + ")");
            }
        }
        return MethodSpec.methodBuilder(u.method()).addModifiers(Modifier.PRIVATE).addParameter(TypeName.INT, "chunk")
                .addJavadoc("Sample {@code chunk} through these steps, in order, so that one sample's maps stay in cache\n"
                        + "from step to step:\n<ul>\n$L</ul>\n", names.stream().map(n -> "<li>" + n + "</li>\n").reduce("", String::concat))
                .addCode(c.build()).build();
    }

    private MethodSpec runChunk(List<Unit> units) {
        Code c = new Code();
        c.open("switch (step)");
        for (Unit u : units) {
            c.label("case " + u.index()).line(u.method() + "(chunk)").line("return").endCase();
        }
        c.label("default").line("throw new IllegalArgumentException(\"no step \" + step)").endCase();
        c.close();
        return MethodSpec.methodBuilder("runChunk").addModifiers(Modifier.PUBLIC)
                .addJavadoc("The pool's entry: chunk {@code chunk} of step {@code step} (forward steps first, then backward).\n")
                .addParameter(TypeName.INT, "step").addParameter(TypeName.INT, "chunk").addCode(c.build()).build();
    }

    /** The eight lanes {@code a[o .. o+7]} of a vector accumulator, added pairwise in a fixed order. */
    private static MethodSpec sum8() {
        return MethodSpec.methodBuilder("sum8").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(TypeName.FLOAT)
                .addJavadoc("((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) of a[o ..]: one order, whichever thread or tier runs it\n"
                        + "(never {@code reduceLanes}, whose order may differ between interpreted and compiled code).\n")
                .addParameter(FLOATS, "a").addParameter(TypeName.INT, "o")
                .addCode(new Code().line("return ((a[o] + a[o + 1]) + (a[o + 2] + a[o + 3])) + ((a[o + 4] + a[o + 5]) + (a[o + 6] + a[o + 7]))")
                        .build())
                .build();
    }

    /**
     * bn's vector sums ({@link BnEmitter}): their accumulators' shape, and the conversion that widens half
     * of 8 floats to them, written out at each use (no helper: see {@code BnEmitter.load8}).
     */
    private static void wideFields(TypeSpec.Builder t) {
        ClassName doubleVector = ClassName.get("jdk.incubator.vector", "DoubleVector");
        ClassName operators = ClassName.get("jdk.incubator.vector", "VectorOperators");
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(VECTOR_SPECIES, ClassName.get(Double.class)), "D4",
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("4 doubles: half of bn's 8 per-channel accumulators.\n")
                .initializer("$T.SPECIES_256", doubleVector).build());
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(operators.nestedClass("Conversion"), ClassName.get(Float.class),
                                ClassName.get(Double.class)), "F2D", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("float to double, lane by lane, as {@code (double)} widens each.\n")
                .initializer("$T.F2D", operators).build());
    }

    /** {@code Σ a[ao+l]·b[bo+l]} over eight fixed partial sums, combined in a fixed order (deterministic, ILP). */
    private static MethodSpec dot() {
        Code c = new Code();
        c.line("float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f");
        c.line("int l = 0");
        c.open("for (; l + 8 <= n; l += 8)");
        for (int i = 0; i < 8; i++) {
            c.line("s" + i + " += a[ao + l + " + i + "] * b[bo + l + " + i + "]");
        }
        c.close();
        c.one("for (; l < n; l++) s0 += a[ao + l] * b[bo + l]");
        c.line("return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))");
        return MethodSpec.methodBuilder("dot").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(TypeName.FLOAT)
                .addJavadoc("Σ_l a[ao + l]·b[bo + l] for l < n, as eight interleaved partial sums added in a fixed order.\n")
                .addParameter(FLOATS, "a").addParameter(TypeName.INT, "ao").addParameter(FLOATS, "b")
                .addParameter(TypeName.INT, "bo").addParameter(TypeName.INT, "n").addCode(c.build()).build();
    }
}
