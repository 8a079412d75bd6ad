package cnnc.ir;

/**
 * A named array in the compiled program: a tensor, a parameter, a sensitivity, a gradient, a path
 * tensor. Names follow SPEC §6: {@code c1}, {@code c1.weight}, {@code grad.c1}, {@code grad.c1.weight},
 * {@code path.p1}.
 */
public record Buffer(String name, Role role, Shape shape, DType dtype) {

    public Buffer {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a buffer needs a name");
        }
    }

    public static Buffer f32(String name, Role role, Shape shape) {
        return new Buffer(name, role, shape, DType.F32);
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
}
