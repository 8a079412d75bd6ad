package cnnc.backend.java;

import cnnc.ir.Buffer;
import cnnc.ir.Step;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * What an emitter writes for one step: its main method {@code void <name>(int chunk)}, run once
 * for every chunk {@code 0 .. chunks-1} (see {@code cnnc.runtime.exec.ChunkPool}), helper methods
 * it calls, and scratch arrays it needs (allocated once, in the constructor). A step may have
 * several phases ({@link #phase}), run one after the other, each with its own chunks: a phase that
 * pads an input for every sample, then one that computes from the padded copy.
 */
final class StepCtx {

    final Step step;
    final boolean forward;
    /** The class is the inference variant: no path tensors, no saved statistics, bn on running statistics only. */
    final boolean inference;
    final String name;
    final List<MethodSpec> methods = new ArrayList<>();
    final List<Scratch> scratch = new ArrayList<>();
    /** Phases in the order they run; the main method is the last one. */
    final List<Phase> phases = new ArrayList<>();
    /** Fields of the step besides its scratch arrays (a cached phase's flag). */
    final List<FieldSpec> fields = new ArrayList<>();
    /** Whether kernels may use {@code jdk.incubator.vector} (see {@link VectorConvEmitter}). */
    final boolean vector;
    /** Whether the step's code calls the class's {@code wide} helpers (bn's vector sums, {@link BnEmitter}). */
    boolean wide;
    /** The train block's seed (dropout's masks). */
    final long seed;
    /** Scratch arrays shared between steps of one class (a padded input the forward and gradient steps both read). */
    final Map<String, String> shared;
    int chunks = -1;
    long work;
    /** How a convolution step is computed, for {@code cnnc check} ({@link JavaBackend#convKernels}); empty for other steps. */
    String kernel = "";

    /**
     * A float array private to one step. {@code kept}: what it holds must last from one run of the
     * step to the next (zero pads written once, a padded copy that later steps read), so it has memory
     * of its own; otherwise the step writes every place before reading it in each run, and
     * {@link ScratchSlots} lets steps that never run at the same time share its memory.
     */
    record Scratch(String field, long size, boolean kept, String doc) {}

    /**
     * One phase: method {@code method(int chunk)} run for chunks {@code 0 .. chunks-1}, about {@code work}
     * multiply-adds. {@code bySample}: chunk {@code t} is sample {@code t}, and it reads only sample
     * {@code t} of the tensors earlier phases write (besides parameters), and writes only sample
     * {@code t}; consecutive such phases can run as one chunk per sample (see {@link JavaBackend}).
     * {@code guard}: null, or a method {@code boolean guard()} the pass calls first; the phase runs only
     * when it returns true ({@link #cachedPhase}).
     */
    record Phase(String method, int chunks, long work, boolean bySample, String guard) {}

    StepCtx(Step step, boolean forward, int index, boolean inference, boolean vector, Map<String, String> shared, long seed) {
        this.step = step;
        this.seed = seed;
        this.forward = forward;
        this.inference = inference;
        this.vector = vector;
        this.shared = shared;
        this.name = Names.stepMethod(forward, index, step.op().mnemonic(), step.node());
    }

    /** The field of input {@code i}. */
    String in(int i) {
        return Names.field(step.input(i));
    }

    /** The field of output {@code i}. */
    String out(int i) {
        return Names.field(step.outputs().get(i));
    }

    Buffer inBuf(int i) {
        return step.input(i);
    }

    Buffer outBuf(int i) {
        return step.outputs().get(i);
    }

    /**
     * A scratch array of this step, named {@code <step>_<what>} (no trailing {@code _}, unlike tensors),
     * that every run of the step writes before it reads it: its memory may be another step's too.
     */
    String scratch(String what, long size) {
        return addScratch(what, size, false, null);
    }

    /** A scratch array whose contents last between runs (zero pads never rewritten, a copy other steps read). */
    String keptScratch(String what, long size) {
        return addScratch(what, size, true, null);
    }

    /** {@link #keptScratch(String, long)} with what it holds, for the field's Javadoc. */
    String keptScratch(String what, long size, String doc) {
        return addScratch(what, size, true, doc);
    }

    private String addScratch(String what, long size, boolean kept, String doc) {
        String f = name + what;
        scratch.add(new Scratch(f, size, kept, doc));
        return f;
    }

    /**
     * Sets the main method: {@code chunks} independent chunks, about {@code work} multiply-adds in
     * all (small steps run on the calling thread), and the body, which sees {@code int chunk}.
     */
    void main(int chunks, long work, String explain, CodeBlock body) {
        main(chunks, work, explain, body, false);
    }

    /** {@link #main(int, long, String, CodeBlock)} for a step computed sample by sample: chunk {@code t} is sample {@code t}. */
    void mainBySample(int samples, long work, String explain, CodeBlock body) {
        main(samples, work, explain, body, true);
    }

    /** The main method, computed sample by sample when {@code bySample} (see {@link Phase}). */
    void main(int chunks, long work, String explain, CodeBlock body, boolean bySample) {
        if (chunks < 1) {
            throw new IllegalArgumentException(name + ": " + chunks + " chunks");
        }
        this.chunks = chunks;
        this.work = work;
        String line = step.pos().fileLine();
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE)
                .addParameter(TypeName.INT, "chunk")
                .addJavadoc("$L '$L' ($L): $L\n", step.op().mnemonic(), step.node(), line, step.op().formula());
        String detail = step.op().detail(step);
        if (!detail.isEmpty()) {
            m.addJavadoc("<p>$L\n", detail);
        }
        m.addJavadoc("<p>$L chunk$L: $L\n", chunks, chunks == 1 ? "" : "s", explain);
        methods.add(0, m.addCode(body).build());
        phases.add(new Phase(name, chunks, work, bySample, null));
    }

    /**
     * A phase that runs before the main method (call before {@link #main}): {@code <name>_<suffix>(int chunk)}
     * for chunk {@code t} = sample {@code 0 .. samples-1} (every phase so far copies one sample's maps).
     */
    void phase(String suffix, int samples, long work, String doc, CodeBlock body) {
        addPhase(suffix, samples, work, doc, body, true, null);
    }

    /**
     * A phase that runs before the main method (call before {@link #main}) for chunks
     * {@code 0 .. chunks-1} that are not samples: it never joins a by-sample run.
     */
    void phaseOver(String suffix, int chunks, long work, String doc, CodeBlock body) {
        addPhase(suffix, chunks, work, doc, body, false, null);
    }

    /**
     * A phase like {@link #phaseOver} whose results depend only on the float array {@code source}
     * ({@code size} floats: a parameter) and last in kept scratch: it runs again only when
     * {@code source} differs from what it held when the phase last ran. The guard compares
     * {@code source} with a copy ({@code java.util.Arrays.equals}: bit for bit, every NaN alike, and a
     * NaN in the source gives NaNs either way), so a caller that writes into the parameter in place, as
     * {@link cnnc.runtime.Network} allows, gets the phase run again: an inference class computes it
     * once per weight update instead of once per call.
     */
    void cachedPhase(String suffix, int chunks, long work, String doc, CodeBlock body, String source, long size) {
        String seen = keptScratch(suffix + "_seen", size, "a copy of " + source + " as phase " + suffix + " last read it");
        String ready = name + suffix + "_ready";
        fields.add(FieldSpec.builder(TypeName.BOOLEAN, ready, Modifier.PRIVATE)
                .addJavadoc("Whether $L holds the $L that phase $L last ran on.\n", seen, source, suffix).build());
        String guard = name + suffix + "_stale";
        methods.add(MethodSpec.methodBuilder(guard).addModifiers(Modifier.PRIVATE).returns(TypeName.BOOLEAN)
                .addJavadoc("$L '$L' ($L), phase $L: whether it must run, {@code $L} differing from the copy it last ran on\n"
                        + "(then the copy takes the new values).\n", step.op().mnemonic(), step.node(), step.pos().fileLine(), suffix, source)
                .addCode(new Code()
                        .open("if (" + ready + " && java.util.Arrays.equals(" + source + ", " + seen + "))")
                        .line("return false")
                        .close()
                        .line("System.arraycopy(" + source + ", 0, " + seen + ", 0, " + size + ")")
                        .line(ready + " = true")
                        .line("return true")
                        .build())
                .build());
        addPhase(suffix, chunks, work, doc + " (again only when " + source + " has changed: " + guard + ")", body, false, guard);
    }

    private void addPhase(String suffix, int chunks, long work, String doc, CodeBlock body, boolean bySample, String guard) {
        String n = name + suffix;
        methods.add(MethodSpec.methodBuilder(n).addModifiers(Modifier.PRIVATE).addParameter(TypeName.INT, "chunk")
                .addJavadoc("$L '$L' ($L), phase $L: $L\n", step.op().mnemonic(), step.node(), step.pos().fileLine(), suffix, doc)
                .addCode(body).build());
        phases.add(new Phase(n, chunks, work, bySample, guard));
    }

    /**
     * A table of ints, {@code private static final int[] <step><what>}, filled once when the class
     * loads by a static method whose body ({@code fill}) sets {@code int[] v} of length {@code size}
     * (a loop, not an array initializer: a literal table of thousands would pass the 64 KB limit of
     * the class initialiser).
     */
    String intTable(String what, int size, String doc, CodeBlock fill) {
        String f = name + what;
        methods.add(MethodSpec.methodBuilder(f + "Table").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(int[].class)
                .addJavadoc("The values of {@link #$L}.\n", f)
                .addStatement("int[] v = new int[$L]", size).addCode(fill).addStatement("return v").build());
        fields.add(FieldSpec.builder(int[].class, f, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc).initializer("$LTable()", f).build());
        return f;
    }

    /** A helper method {@code <step>_<suffix>(int a, int b, ...)} returning nothing. */
    String helper(String suffix, String doc, List<String> intParams, CodeBlock body) {
        String n = name + suffix;
        MethodSpec.Builder m = MethodSpec.methodBuilder(n).addModifiers(Modifier.PRIVATE).addJavadoc("$L\n", doc);
        for (String p : intParams) {
            m.addParameter(TypeName.INT, p);
        }
        methods.add(m.addCode(body).build());
        return n;
    }
}
