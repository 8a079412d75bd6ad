package cnnc.interp;

import java.util.Map;

/**
 * Code whose analytic gradients {@link GradCheck} tests: the interpreter itself, the generated Java
 * network, an OpenCL device. Values travel as float64 by IR name; a float32 candidate converts.
 */
public interface Candidate {

    /** Sets inputs, target, parameters and bn state by name ({@code x}, {@code c1.weight}, {@code b1.running_var}). */
    void load(Map<String, double[]> values);

    /** One training-mode forward pass (bn with batch statistics) and the backward pass. */
    void forwardBackward();

    /** A buffer after {@link #forwardBackward}: {@code loss}, {@code grad.c1.weight}, {@code grad.x}. */
    double[] read(String name);

    /** The reference interpreter as a candidate (what GradCheck's own tests use). */
    static Candidate of(Interpreter interp) {
        return new Candidate() {
            @Override
            public void load(Map<String, double[]> values) {
                interp.load(values);
            }

            @Override
            public void forwardBackward() {
                interp.forward(true);
                interp.backward();
            }

            @Override
            public double[] read(String name) {
                return interp.buffer(name).clone();
            }
        };
    }
}
