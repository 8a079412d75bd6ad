package cnnc.ir;

/**
 * A named array in the compiled program: a tensor, a parameter, a sensitivity, a gradient, a path
 * tensor. Names follow docs/files.md: {@code c1}, {@code c1.weight}, {@code grad.c1},
 * {@code grad.c1.weight}, {@code path.p1}; but nothing is decided by reading a name back. What a
 * buffer is, is its {@link Role}; what it starts at, its {@link Init}; which .cnn statement
 * declared it, its {@code node}; and, for a sensitivity, partial or gradient, the forward buffer it
 * is the derivative of, {@code of}. The operation (or the reverse walk) that declares a buffer sets
 * them all.
 *
 * @param node the .cnn tensor whose statement declared it ({@code c1} for {@code c1.weight} and
 *             {@code grad.c1.weight}, {@code p1} for {@code path.p1})
 * @param of   for a sensitivity, partial or gradient, the name of its forward partner; else null
 */
public record Buffer(String name, Role role, Shape shape, DType dtype, Init init, String node, String of) {

    public Buffer {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a buffer needs a name");
        }
        if (node == null || node.isEmpty()) {
            throw new IllegalArgumentException(name + " needs the node that declares it");
        }
    }

    /** A float tensor named after its node: an input, target, activation or the loss; starts at zero. */
    public static Buffer f32(String name, Role role, Shape shape) {
        return new Buffer(name, role, shape, DType.F32, Init.ZERO, name, null);
    }

    /** A float buffer an operation owns besides its result, {@code <node>.<what>} (a parameter, bn state or statistic). */
    public static Buffer owned(String node, String what, Role role, Shape shape, Init init) {
        return new Buffer(node + "." + what, role, shape, DType.F32, init, node, null);
    }

    /** The path tensor of a max-pool, {@code path.<node>}, int32. */
    public static Buffer path(String node, Shape shape) {
        return new Buffer(pathName(node), Role.PATH, shape, DType.I32, Init.ZERO, node, null);
    }

    /** The mask of a dropout, {@code mask.<node>}: float 1 (kept) or 0 (dropped). */
    public static Buffer mask(String node, Shape shape) {
        return new Buffer(maskName(node), Role.MASK, shape, DType.F32, Init.ZERO, node, null);
    }

    /** A derivative of {@code forward}: its sensitivity, gradient or (with a suffix) a partial sensitivity. */
    public static Buffer derivative(Buffer forward, Role role, String suffix) {
        return new Buffer(gradName(forward.name()) + suffix, role, forward.shape(), DType.F32, Init.ZERO, forward.node(), forward.name());
    }

    public long bytes() {
        return shape.size() * dtype.bytes;
    }

    /** The name of the sensitivity of a tensor, or of the gradient of a parameter. */
    public static String gradName(String name) {
        return "grad." + name;
    }

    public static String pathName(String node) {
        return "path." + node;
    }

    public static String maskName(String node) {
        return "mask." + node;
    }
}
