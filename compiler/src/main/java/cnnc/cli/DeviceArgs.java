package cnnc.cli;

import cnnc.backend.java.ClassCache;
import cnnc.backend.java.JaninoLoader;
import cnnc.backend.java.JavaBackend;
import cnnc.backend.opencl.OpenClBackend;
import cnnc.ir.Model;
import cnnc.runtime.Network;
import cnnc.runtime.data.ImageCache;
import cnnc.runtime.opencl.OpenClDevices;
import cnnc.runtime.opencl.OpenClException;
import cnnc.runtime.opencl.OpenClNetwork;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where generated code runs: {@code --device java|opencl[:PLATFORM:DEVICE]} and {@code --threads},
 * shared by every command that runs a model. Build with {@link #build}, give back with {@link #release}.
 */
public final class DeviceArgs {

    /** The package generated Java networks are compiled into. */
    static final String PACKAGE = "cnnc.generated";

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "java (the default) or opencl[:PLATFORM:DEVICE] (cnnc devices lists them).")
    String device = "java";

    @Option(names = "--threads", paramLabel = "N", description = "Threads the generated Java code may use (default: the available processors).")
    Integer threads;

    @Option(names = "--class-cache", paramLabel = "DIR|off",
            description = "Where compiled network classes are kept between runs (default: $CNNC_CLASS_CACHE, else classes/ in"
                    + " $CNNC_CACHE, $XDG_CACHE_HOME/cnnc or ~/.cache/cnnc); off compiles every time. Java device.")
    String classCache;

    /** The thread count asked for, else the processors available. */
    public int threads() {
        if (threads == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        if (threads < 1) {
            throw new UserError("--threads must be at least 1, found " + threads);
        }
        return threads;
    }

    boolean opencl() {
        return device.equals("opencl") || device.startsWith("opencl:");
    }

    /** Checks --device and --threads before any work is done. */
    public void check() {
        threads();
        if (!device.equals("java") && !opencl()) {
            throw new UserError("unknown --device '" + device + "' (java or opencl[:PLATFORM:DEVICE])");
        }
    }

    /**
     * Call where compiling starts: on java, Janino compiles a few warm-up lines on another thread
     * while the main one parses and generates the real network ({@link Warmup}). With the class
     * cache on, the warm-up waits for a miss ({@link #buildTimed}): on a hit it only took a core
     * from the load (cifar_vgg's cached compile took about a third longer with it).
     */
    public void prepare() {
        if (!opencl() && classCache() == null) {
            Warmup.startInBackground();
        }
    }

    /** What the run is on, for reports: {@code java, 2 threads} or the OpenCL device. */
    public String describe(Network net) {
        if (net instanceof OpenClNetwork o) {
            return "opencl " + o.device();
        }
        int n = threads();
        return device + " on " + n + " thread" + (n == 1 ? "" : "s");
    }

    /** Generates, compiles and instantiates {@code model}'s network on the device, every tensor readable after a pass. */
    public Network build(Model model) {
        return buildTimed(model, JavaBackend.Memory.KEPT).network();
    }

    /**
     * {@link #build} for a command that reads only the input, output, target, loss and parameters
     * (train, eval, predict, bench): on java the transient tensors (sensitivities, activations only
     * the forward pass reads; in an inference class every activation between input and output)
     * share memory ({@link JavaBackend.Memory#SHARED}); the same bits.
     */
    public Network buildToRun(Model model) {
        return buildTimed(model, JavaBackend.Memory.SHARED).network();
    }

    /**
     * A network built by {@link #buildTimed}, with how long each part took: generating the Java
     * source ({@code sourceChars} long), compiling it with Janino, and allocating the instance's
     * buffers (the generated constructor). Zero times and length on OpenCL, which builds in one go.
     */
    public record Built(Network network, long generateNs, long janinoNs, long buffersNs, int sourceChars, CacheUse cache) {

        /** How the class was made, for a command's progress: compiled (and kept) or loaded from the class cache; null on OpenCL. */
        public String describe() {
            return sourceChars == 0 ? null : DeviceArgs.describe(cache, generateNs, janinoNs);
        }
    }

    /** How a class was made ({@link Made}'s figures): compiled (and kept) or loaded from the class cache. */
    static String describe(CacheUse cache, long generateNs, long janinoNs) {
        String compiled = String.format(java.util.Locale.ROOT, "class compiled in %,d ms (Java source %,d ms, Janino %,d ms)",
                (generateNs + janinoNs) / 1_000_000, generateNs / 1_000_000, janinoNs / 1_000_000);
        return switch (cache.kind()) {
            case HIT -> String.format(java.util.Locale.ROOT, "class loaded from the class cache %s in %,d ms", cache.dir(), janinoNs / 1_000_000);
            case STORED -> compiled + ", kept in the class cache " + cache.dir();
            case NOT_STORED -> compiled + "; the class cache " + cache.dir() + " could not keep it: " + cache.problem();
            case OFF -> compiled;
        };
    }

    /**
     * What the class cache did for a build: {@code HIT} (the class was loaded from {@code dir}; its
     * "Janino" time is the load), {@code STORED} (compiled, then kept there), {@code NOT_STORED}
     * (compiled; keeping it failed, {@code problem} says why), {@code OFF}.
     */
    public record CacheUse(Kind kind, Path dir, String problem) {
        public enum Kind { HIT, STORED, NOT_STORED, OFF }

        static final CacheUse OFF = new CacheUse(Kind.OFF, null, null);
    }

    /** The class cache asked for: {@code --class-cache}, else {@code $CNNC_CLASS_CACHE}, else classes/ of the cache directory; null when off. */
    ClassCache classCache() {
        return classCache(classCache);
    }

    /** The class cache an option's value asks for ({@code option} null: not given), as {@link #classCache()}. */
    static ClassCache classCache(String option) {
        String spec = option != null ? option : System.getenv("CNNC_CLASS_CACHE");
        if (spec != null && (spec.equals("off") || spec.equals("0"))) {
            return null;
        }
        if (spec != null && spec.isBlank()) {
            spec = null;
        }
        return ClassCache.at(spec != null ? Path.of(spec) : ImageCache.defaultDir().resolve("classes"));
    }

    /** {@link #build}, timing its parts (what {@code cnnc bench} reports of the compile); {@code memory}: on java. */
    public Built buildTimed(Model model, JavaBackend.Memory memory) {
        check();
        if (opencl()) {
            try {
                OpenClDevices.Device d = OpenClDevices.select(device);
                OpenClBackend.Program p = OpenClBackend.generate(model);
                return new Built(new OpenClNetwork(p.plan(), p.source(), d), 0, 0, 0, 0, CacheUse.OFF);
            } catch (OpenClException e) {
                if (e.userFixable()) {
                    throw new UserError(e.getMessage());
                }
                throw e;
            }
        }
        Made made = make(classCache(), model, PACKAGE, JavaBackend.vectorAvailable(), memory, true);
        long t2 = System.nanoTime();
        Network net = made.compiled().instantiate();
        long t3 = System.nanoTime();
        net.setThreads(threads());
        return new Built(net, made.generateNs(), made.janinoNs(), t3 - t2, made.compiled().source().text().length(), made.cache());
    }

    /**
     * A class made for a model: {@code compiled}, and how ({@code cache}); on a hit {@code generateNs} is 0
     * and {@code janinoNs} the key and the load, else they time the Java source (key and lookup
     * included) and Janino.
     */
    record Made(JaninoLoader.Compiled compiled, CacheUse cache, long generateNs, long janinoNs) {
        String describe() {
            return DeviceArgs.describe(cache, generateNs, janinoNs);
        }
    }

    /**
     * {@code model}'s class in {@code pkg}: loaded from {@code cache} when it holds one made the same
     * way, else generated, compiled and kept there ({@code cache} null: compiled every time). With
     * {@code warmup}, Janino's warm-up thread starts on a miss (not before: a hit needs no Janino).
     */
    static Made make(ClassCache cache, Model model, String pkg, boolean vector, JavaBackend.Memory memory, boolean warmup) {
        long t0 = System.nanoTime();
        String key = cache == null ? null : cache.key(model, pkg, vector, memory);
        JaninoLoader.Compiled compiled = key == null ? null : cache.load(key).orElse(null);
        long t1 = System.nanoTime();
        if (compiled != null) {
            return new Made(compiled, new CacheUse(CacheUse.Kind.HIT, cache.dir(), null), 0, t1 - t0);
        }
        if (cache != null && warmup) {
            Warmup.startInBackground();
        }
        JavaBackend.Source source = JavaBackend.generate(model, pkg, vector, memory);
        t1 = System.nanoTime();
        compiled = JaninoLoader.compile(source);
        CacheUse use = keep(cache, key, compiled);
        return new Made(compiled, use, t1 - t0, System.nanoTime() - t1);
    }

    /** Stores a freshly compiled class in the cache; a cache that cannot be written costs only the next compile. */
    private static CacheUse keep(ClassCache cache, String key, JaninoLoader.Compiled compiled) {
        if (cache == null) {
            return CacheUse.OFF;
        }
        try {
            cache.store(key, compiled);
            return new CacheUse(CacheUse.Kind.STORED, cache.dir(), null);
        } catch (IOException | RuntimeException e) {
            return new CacheUse(CacheUse.Kind.NOT_STORED, cache.dir(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Stops the network's worker threads or frees its device memory. */
    public static void release(Network net) {
        net.close();
    }
}
