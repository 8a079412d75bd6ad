package cnnc.passes;

import cnnc.ir.Graph;
import cnnc.ir.Model;
import cnnc.ir.Shape;
import cnnc.ir.Step;
import cnnc.ops.Conv;
import cnnc.ops.Conv.Algo;
import cnnc.ops.ConvBf;
import cnnc.ops.ConvGrad;
import cnnc.ops.Deconv;
import cnnc.ops.DeconvBf;
import cnnc.ops.DeconvGrad;
import cnnc.ops.Op;
import java.util.List;
import java.util.Optional;

/**
 * The {@code conv-kernels} pass: records in every conv, conv_bf and conv_grad step (and every
 * deconv, deconv_bf and deconv_grad step, see {@link #dual}) how it is computed ({@link Algo}), so
 * backends render what the IR says and dumps show it.
 *
 * <p>The choice, from the shapes: Winograd (F(4x4, 3x3) or F(2x2, 3x3), {@link #winogradTile}) for 3x3 stride-1 convolutions with at least
 * {@link #WINOGRAD_CHANNELS} input and output channels on maps of at least {@link #WINOGRAD_MAP}
 * pixels a side (forward, backward-data and the weight gradient, each judged on its own shapes: for
 * conv_grad, X's channels and ΔY's map; it does 2.25x fewer multiplications, but its transforms
 * cost per tile and channel what the GEMM saves only when there are enough channels to share them,
 * and on small maps the 2x2 output tiles waste their padding); else the register-tiled direct
 * kernel where it applies (an anchor inside the window, any stride); else the scalar loops. The weight
 * gradient by Winograd ({@code WinogradGradEmitter}) reduces over the batch in partial sums over
 * fixed sample ranges, so it stays bit-identical for any thread count; it has the F(2x2, 3x3) tile only. A conv's {@code algo:} argument, or a forced algorithm ({@code --conv-algo},
 * the system property {@code cnnc.conv.algo}), wins wherever it applies.
 * A backend without the Vector API renders every choice as the scalar loops.
 */
public final class ConvKernels {

    /** Fewest input and output channels for Winograd (docs/performance.md: measured on cifar_vgg's layers). */
    public static final int WINOGRAD_CHANNELS = 16;
    /**
     * Smallest output map side for Winograd. A 7x7 map wastes 15 of the 64 pixels of its 2x2 tiles and
     * still wins since stop 13's GEMM tile: 64 -> 128 channels at 7x7, batch 64 (fashion_bn's c3;
     * ConvBench, 2 threads, two rounds, GFLOP/s) F(2x2) forward 94 and 91, backward-data 97 and 86,
     * gradient 98 and 97; direct 70 and 42, 68 and 40, 61 and 43 (docs/performance.md).
     */
    public static final int WINOGRAD_MAP = 7;
    /**
     * Fewest output pixels over the batch ({@code T·Ho·Wo}) for Winograd: its weight transform, redone
     * every step, costs about 60 scalar operations per channel pair, which the 2.25x fewer
     * multiplications repay only over enough pixels (batch-1 inference on 8x8 maps measured 8x slower).
     */
    public static final int WINOGRAD_PIXELS = 1024;
    /**
     * Fewest output pixels over the batch for a Winograd forward in an inference build (no backward
     * graph), whose weight transform is computed once per weight update (kept between passes,
     * {@code WinogradEmitter}) instead of every step, so only the transforms of the maps are left to
     * repay. At batch 1 on cifar_vgg (bench/LatencyProfile.java, 1 thread, 20 s of warm-up, µs per pass)
     * F(2x2) took c3 392 against the direct kernel's 753-767 and c4 718 against 1,475-1,494 on 16x16 maps
     * (256 pixels), but c5 723 against 655-665 and c6 1,525 against 1,275-1,298 on 8x8 maps (64 pixels).
     */
    public static final int WINOGRAD_PIXELS_INFERENCE = 256;
    /** Smallest output map side for Winograd F(4x4, 3x3) (its 4x4 tiles; see {@link #winogradTile}). */
    public static final int WINOGRAD4_MAP = 8;
    /**
     * Fewest output pixels over the batch ({@code T·Ho·Wo}) for F(4x4, 3x3). Its weight transform, redone
     * every step, took about 150 ns per channel pair on 2 threads against F(2x2)'s 23 (ConvBench, stop 18:
     * 128 -> 128, 128 -> 256 and 256 -> 256 channels), and its main phase saved at most 0.014 ns per output
     * pixel and channel pair, so it pays from about 9,000 pixels: at batch 64, 16x16 maps (16,384) ran
     * F(4x4) 331 against F(2x2) 292 GFLOP/s forward, 8x8 maps (4,096) 199 against 245 (128 -> 256) and
     * 201 against 311 (256 -> 256). At batch 1 on cifar_vgg's 32x32 c2 F(4x4) made the whole pass 1.5x
     * slower (latency 8.3 to 11.8 ms against 5.6 ms with F(2x2)). Since stop 19 the transform stages its
     * stores (about 45 ns per pair against F(2x2)'s 20), but the rule stays: at batch 64 F(4x4)'s main phase
     * led on 128 -> 256 channels at 8x8 and trailed on 256 -> 256, which have the same pixels
     * (docs/performance.md, "Stop 19").
     */
    public static final int WINOGRAD4_PIXELS = 16384;

    private ConvKernels() {}

    /** What a choice is for: the rules differ by how often the step's Winograd weight transform runs. */
    public enum Use {
        /** A forward or backward-data step that transforms the weights every time it runs (a training build). */
        EVERY_STEP,
        /** The forward of an inference build: its weight transform runs once per weight update. */
        INFERENCE,
        /** The weight gradient (Winograd F(2x2, 3x3) only). */
        GRADIENT
    }

    /** Chooses the kernel of every convolution step of {@code m}; {@code forced} (AUTO: none) wins where it applies. */
    public static Model run(Model m, Algo forced) {
        Graph fwd = map(m.forward(), forced, m.backward().isEmpty() ? Use.INFERENCE : Use.EVERY_STEP);
        Optional<Graph> bwd = m.backward().map(g -> map(g, forced, Use.EVERY_STEP));
        return m.withGraphs(fwd, bwd);
    }

    /** The kernels of {@code g}'s steps; {@code fwd}: what its conv steps are for (conv_bf and conv_grad are training's). */
    private static Graph map(Graph g, Algo forced, Use fwd) {
        List<Step> steps = g.steps().stream().map(s -> {
            Op op = switch (s.op()) {
                case Conv c -> c.withAlgo(choose(c, c.algo(), forced, fwd, s.input(0).shape(), s.output().shape()));
                case ConvBf bf -> new ConvBf(bf.conv(), choose(bf.conv(), bf.conv().algo(), forced, Use.EVERY_STEP, s.input(0).shape(),
                        s.output().shape()));
                case ConvGrad cg -> new ConvGrad(cg.conv(), choose(cg.conv(), cg.conv().algo(), forced, Use.GRADIENT, s.input(1).shape(),
                        s.input(0).shape()));
                case Deconv d -> d.withAlgo(dual(d, forced));
                case DeconvBf d -> new DeconvBf(d.deconv(), dual(d.deconv(), forced));
                case DeconvGrad d -> new DeconvGrad(d.deconv(), dual(d.deconv(), forced));
                default -> s.op();
            };
            return op == s.op() ? s : s.withOp(op);
        }).toList();
        return new Graph(g.sources(), steps);
    }

    /**
     * The kernel of a deconv, deconv_bf or deconv_grad step, all computed by the conv kernels of the
     * deconv's {@link Deconv#dual}: the direct kernel where it applies (pads inside the window), unless scalar is
     * forced; they have no Winograd variant.
     */
    static Algo dual(Deconv d, Algo forced) {
        return forced != Algo.SCALAR && Algo.DIRECT.applies(d.dual()) ? Algo.DIRECT : Algo.SCALAR;
    }

    /**
     * The kernel of one step of {@code conv} reading a map of shape {@code in} and writing {@code out}
     * (for conv_bf: ΔY in, ΔX out; for the gradient, X and ΔY): the forced or requested algorithm
     * where it applies, else the cost model's. The weight gradient has the same
     * rule today (measured faster than direct on every cifar_vgg layer that passes it: docs/performance.md);
     * an inference build's forward needs fewer pixels ({@link #WINOGRAD_PIXELS_INFERENCE}).
     */
    public static Algo choose(Conv conv, Algo requested, Algo forced, Use use, Shape in, Shape out) {
        boolean gradient = use == Use.GRADIENT;
        for (Algo want : new Algo[] {forced, requested}) {
            if (want != Algo.AUTO && want.applies(conv)) {
                return gradient && want.winograd() ? Algo.WINOGRAD2 : want == Algo.WINOGRAD ? winogradTile(out) : want;
            }
        }
        if (Algo.WINOGRAD.applies(conv) && in.c() >= WINOGRAD_CHANNELS && out.c() >= WINOGRAD_CHANNELS
                && out.h() >= WINOGRAD_MAP && out.w() >= WINOGRAD_MAP
                && (long) out.n() * out.h() * out.w() >= (use == Use.INFERENCE ? WINOGRAD_PIXELS_INFERENCE : WINOGRAD_PIXELS)) {
            return gradient ? Algo.WINOGRAD2 : winogradTile(out); // the weight gradient has F(2x2, 3x3) only
        }
        return Algo.DIRECT.applies(conv) ? Algo.DIRECT : Algo.SCALAR;
    }

    /**
     * The Winograd tile for an output map {@code out} (ΔX for conv_bf): F(4x4, 3x3) where the map is at
     * least {@link #WINOGRAD4_MAP} a side and a multiple of 4 each way (no partial tiles; measured faster
     * than F(2x2) there, docs/performance.md) and the batch has at least {@link #WINOGRAD4_PIXELS}
     * output pixels, else F(2x2, 3x3).
     */
    public static Algo winogradTile(Shape out) {
        return out.h() >= WINOGRAD4_MAP && out.w() >= WINOGRAD4_MAP && out.h() % 4 == 0 && out.w() % 4 == 0
                && (long) out.n() * out.h() * out.w() >= WINOGRAD4_PIXELS ? Algo.WINOGRAD4
                : Algo.WINOGRAD2;
    }

    /**
     * The algorithm {@code cnnc.conv.algo} forces ({@code --conv-algo}), AUTO when unset.
     *
     * @throws IllegalArgumentException for a word that names no algorithm
     */
    public static Algo forced() {
        String p = System.getProperty("cnnc.conv.algo");
        if (p == null || p.isBlank()) {
            return Algo.AUTO;
        }
        for (Algo a : Algo.values()) {
            if (a.word().equals(p.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("cnnc.conv.algo must be auto, direct, winograd, winograd2, winograd4 or scalar, found " + p);
    }
}
