package cnnc.ir;

/**
 * What a buffer holds before training or loading, as the operation that declares it says: conv and
 * full weights are drawn with He's or Xavier's normal distribution, bn's γ and running variance
 * start at 1, everything else at 0. Generated code passes it on to the runtime
 * ({@code TensorSpec.Init}), which initializes from it; the interpreter and {@code Seeds} read it.
 */
public enum Init implements Word {
    /** All zeros: biases, β, running mean, and every buffer that is not a persistent source. */
    ZERO("zero"),
    /** All ones: bn's γ and running variance. */
    ONE("one"),
    /** Normal with std {@code sqrt(2 / fan_in)} (He, Kaiming). */
    HE("he"),
    /** Normal with std {@code sqrt(2 / (fan_in + fan_out))} (Xavier, Glorot). */
    XAVIER("xavier");

    private final String word;

    Init(String word) {
        this.word = word;
    }

    /** The word in a .cnn file and in plans: {@code he}, {@code xavier}, {@code zero}, {@code one}. */
    @Override
    public String word() {
        return word;
    }

    /** Whether the values are drawn from a distribution over the weight's fans (a weight), not a constant. */
    public boolean random() {
        return this == HE || this == XAVIER;
    }

    /** The runtime's constant, which generated classes and plans carry. */
    public cnnc.runtime.TensorSpec.Init runtime() {
        return switch (this) {
            case ZERO -> cnnc.runtime.TensorSpec.Init.ZERO;
            case ONE -> cnnc.runtime.TensorSpec.Init.ONE;
            case HE -> cnnc.runtime.TensorSpec.Init.HE;
            case XAVIER -> cnnc.runtime.TensorSpec.Init.XAVIER;
        };
    }

    /** The word, so that operation records print (and the graph hash reads) {@code init=he} as before. */
    @Override
    public String toString() {
        return word;
    }
}
