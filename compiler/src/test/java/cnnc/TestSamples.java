package cnnc;

import java.nio.file.Path;
import java.util.Set;

/**
 * Which samples the tests that run every sample through the float64 interpreter or finite
 * differences leave out, and why. {@code cifar_vgg.cnn} does about 0.3 GFLOP per image forward (20
 * times fashion_bn): a float64 interpreter pass of a batch, times the finite differences, takes many
 * minutes. Its kernels are the ones those tests run on every other sample and on {@code
 * ConvKernelTest}'s models (every register tile, against the float64 interpreter) and the PyTorch
 * fixtures of lenet5 and fashion_bn run through; it is checked whole against the plain-Java path at
 * batch 4 ({@code VectorPathTest}), and by the method-size and golden tests. It has no PyTorch
 * fixture: tools/reference finds no seed in 1000 whose ~500k relu inputs and max-pool windows all
 * stay 1e-5 away from a kink, which its fixtures require, so OpenClGradParityTest leaves it out too.
 */
public final class TestSamples {

    /** File names of the samples too big for the interpreter and finite-difference tests. */
    public static final Set<String> HEAVY = Set.of("cifar_vgg.cnn");

    private TestSamples() {}

    /** Whether {@code sample} is small enough for every test (not in {@link #HEAVY}). */
    public static boolean light(Path sample) {
        return !HEAVY.contains(sample.getFileName().toString());
    }
}
