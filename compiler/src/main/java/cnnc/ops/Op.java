package cnnc.ops;

import cnnc.ir.Step;

/**
 * An edge of the graph. Every operation, forward or backward, is a record implementing this sealed
 * interface, so a {@code switch} over ops without {@code default} breaks the build wherever a new
 * operation must be handled (code generators, dumps, interpreters).
 */
public sealed interface Op permits ForwardOp, BackwardOp {

    /** The name in dumps: {@code conv}, {@code conv_bf}, {@code maxpool_bf}. */
    String mnemonic();

    /** The formula it computes, as dumps and generated code comment it. */
    String formula();

    /** Step-specific detail for dumps: the derived weight transform, the anchor, the path tensor. */
    default String detail(Step step) {
        return "";
    }
}
