package cnnc.cli;

import picocli.CommandLine.Option;

/**
 * {@code --conv-algo auto|direct|winograd|winograd2|winograd4|scalar}: forces the algorithm of every convolution step
 * where it applies (conv_grad takes direct for winograd; a conv it does not apply to keeps the
 * compiler's choice), over the cost model and over the {@code algo:} arguments of the file, for
 * benchmarking one kernel against another. It sets the system property {@code cnnc.conv.algo} that
 * the {@code conv-kernels} pass reads ({@code cnnc.passes.ConvKernels}).
 *
 * <p>{@code --conv-tile PxB}: forces the register tile of every Vector API forward and backward-data
 * convolution to {@code P} vectors of 8 output pixels times {@code B} output channels, instead of
 * the one the compiler's cost model picks from the shapes (for benchmarking a tile; the results
 * differ only in rounding). It sets the system property {@code cnnc.conv.tile} that the Java backend reads.
 */
final class ConvTileArg {

    @Option(names = "--conv-tile", paramLabel = "PxB",
            description = "Force the Vector API convolutions' register tile: P (1-4) vectors of 8 pixels x B (1-8) channels.")
    String tile;

    @Option(names = "--conv-algo", paramLabel = "ALGO",
            description = "Force every convolution's algorithm where it applies: auto (the compiler's choice), direct, winograd (tile chosen by the compiler), winograd2 (F(2x2,3x3)), winograd4 (F(4x4,3x3)) or scalar.")
    String algo;

    void apply() {
        if (algo != null) {
            if (!algo.matches("auto|direct|winograd|winograd2|winograd4|scalar")) {
                throw new UserError("--conv-algo must be auto, direct, winograd, winograd2, winograd4 or scalar, found '" + algo + "'");
            }
            System.setProperty("cnnc.conv.algo", algo);
        }
        if (tile == null) {
            return;
        }
        if (!tile.matches("[1-4]x[1-8]")) {
            throw new UserError("--conv-tile must be PxB with P in 1..4 and B in 1..8 (e.g. 3x8), found '" + tile + "'");
        }
        System.setProperty("cnnc.conv.tile", tile);
    }
}
