package cnnc.front;

/**
 * How to build a model: the batch size ({@code 0}: the train block's, else 1), whether it will be
 * trained (bn then needs two values per statistic and a loss is required), which network of the
 * file (null: the first), and whether the backward graph should give the input a sensitivity.
 */
public record Options(int batch, boolean training, String network, boolean inputSensitivity) {

    public static Options defaults() {
        return new Options(0, true, null, false);
    }

    public Options withBatch(int b) {
        return new Options(b, training, network, inputSensitivity);
    }

    public Options withTraining(boolean t) {
        return new Options(batch, t, network, inputSensitivity);
    }

    public Options withNetwork(String n) {
        return new Options(batch, training, n, inputSensitivity);
    }

    public Options withInputSensitivity(boolean s) {
        return new Options(batch, training, network, s);
    }
}
