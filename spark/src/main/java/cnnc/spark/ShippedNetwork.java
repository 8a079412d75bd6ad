package cnnc.spark;

import cnnc.backend.java.JaninoLoader;
import cnnc.runtime.Network;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A generated network class as bytecode, compiled once on the driver and shipped to executors in
 * a task's closure: an executor defines the class from these bytes (once per JVM, cached by graph
 * hash and class name) and never sees the {@code .cnn} file, the compiler or Janino.
 *
 * <p>Instances are pooled per JVM: a task borrows one, uses it alone and gives it back, so an
 * executor keeps one network per task thread that ran, each with its buffers allocated once.
 */
public final class ShippedNetwork implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Class<? extends Network>> LOADED = new ConcurrentHashMap<>();
    private static final Map<String, ConcurrentLinkedQueue<Network>> POOLS = new ConcurrentHashMap<>();

    private final String className;
    private final String graphHash;
    private final int batch;
    private final HashMap<String, byte[]> bytecodes;
    private transient String key;

    private ShippedNetwork(String className, String graphHash, int batch, Map<String, byte[]> bytecodes) {
        this.className = className;
        this.graphHash = graphHash;
        this.batch = batch;
        this.bytecodes = new HashMap<>(bytecodes);
    }

    /** The bytecode of a network Janino compiled on this JVM. */
    public static ShippedNetwork of(JaninoLoader.Compiled compiled, String graphHash, int batch) {
        return new ShippedNetwork(compiled.type().getName(), graphHash, batch, compiled.bytecodes());
    }

    /**
     * The identity of the class on every JVM: graph hash, batch, class name and a digest of the
     * bytecode (a training and an inference class of one graph share the graph hash).
     */
    public String key() {
        if (key == null) {
            try {
                java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
                for (String name : new java.util.TreeSet<>(bytecodes.keySet())) {
                    md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    md.update(bytecodes.get(name));
                }
                key = graphHash + "/" + batch + "/" + className + "/" + java.util.HexFormat.of().formatHex(md.digest(), 0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return key;
    }

    public int batch() {
        return batch;
    }

    /** Bytes this object costs in a task's closure (the class files). */
    public long bytes() {
        long n = 0;
        for (byte[] b : bytecodes.values()) {
            n += b.length;
        }
        return n;
    }

    /** A new instance, single-threaded (an executor's parallelism is its task slots). */
    public Network instantiate() {
        Class<? extends Network> type = LOADED.computeIfAbsent(key(), k -> define());
        try {
            Network net = type.getDeclaredConstructor().newInstance();
            net.setThreads(1);
            return net;
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("generated constructor of " + className + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + className, e);
        }
    }

    /** A pooled instance for one task; give it back with {@link #giveBack}. */
    public Network borrow() {
        Network net = POOLS.computeIfAbsent(key(), k -> new ConcurrentLinkedQueue<>()).poll();
        return net != null ? net : instantiate();
    }

    public void giveBack(Network net) {
        POOLS.computeIfAbsent(key(), k -> new ConcurrentLinkedQueue<>()).add(net);
    }

    /**
     * Drops this JVM's pooled instances of the class (an embedded run's executors share the
     * driver's JVM, which would otherwise keep them after the job); later borrows make new ones.
     */
    public void release() {
        java.util.Queue<Network> pool = POOLS.remove(key());
        if (pool != null) {
            for (Network n : pool) {
                n.close();
            }
        }
    }

    private Class<? extends Network> define() {
        ClassLoader loader = new BytesLoader(Network.class.getClassLoader(), bytecodes);
        try {
            return Class.forName(className, true, loader).asSubclass(Network.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("shipped bytecode has no class " + className, e);
        }
    }

    /** Defines the shipped classes; everything else (the runtime, the JDK) comes from the parent. */
    private static final class BytesLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        BytesLoader(ClassLoader parent, Map<String, byte[]> classes) {
            super(parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }
    }
}
