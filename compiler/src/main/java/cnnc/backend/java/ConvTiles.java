package cnnc.backend.java;

/**
 * The register tiles of the Vector API convolution kernels, chosen from the shapes by a small cost
 * model of the micro-kernel's inner step (one kernel tap of one input channel).
 *
 * <p>forward and conv_bf ({@link VectorConvEmitter}): a tile of {@code p} vectors of {@link
 * VectorConvEmitter#VL} consecutive output pixels (of the wide rows) times {@code b} output
 * channels, {@code p·b} accumulators held in registers through every input channel and tap. Per
 * tap it loads {@code p} input vectors and broadcasts {@code b} weights, then does {@code p·b} fmas:
 * <pre>
 *             output channels k0 .. k0+b-1 (one broadcast weight each)
 *               k0     k0+1   ...  k0+b-1
 *   pixels e   [a0_0] [a0_1]  ...  [a0_b-1]   &lt;- x vector v0 = Xp[e + tap .. +7]
 *   e+8        [a1_0] [a1_1]  ...  [a1_b-1]   &lt;- v1
 *   ...
 *   e+8(p-1)   [..  ] [..  ]  ...  [..    ]   &lt;- v(p-1)
 * </pre>
 * The two FMA pipes of a core retire {@code p·b/2} cycles of fmas per tap while the loads take
 * {@code (p+b)/2} (two per cycle): {@code p = 1, b = 8} (the first kernels) is load-bound, {@code
 * p·b >= 12} is fma-bound. Rows are padded to a multiple of {@code 8p} pixels, which costs work on
 * small maps, and {@code K} not divisible by {@code b} leaves a narrower block, which costs about as
 * much as a full one: the model counts both.
 * At most {@link #MAX_ACC} accumulators, so that with the {@code p} inputs and a broadcast everything
 * fits the 32 vector registers of AVX-512 machines.
 */
final class ConvTiles {

    /** Most pixel vectors per tile. */
    static final int MAX_P = 4;
    /** Most output channels per tile. */
    static final int MAX_B = 8;
    /** Most accumulators per tile. */
    static final int MAX_ACC = 24;

    /** {@code p} pixel vectors times {@code b} output channels. */
    record Tile(int p, int b) {
        @Override
        public String toString() {
            return p * VectorConvEmitter.VL + " pixels x " + b + " channels";
        }
    }

    /**
     * Forces every forward and conv_bf tile (tests and benchmarks; null: the cost model). The
     * system property {@code cnnc.conv.tile=PxB} does the same from the command line.
     */
    static volatile Tile override;

    /** Forces conv_grad's channel block where it divides K (tests; null: the cost model). */
    static volatile Integer gradOverride;

    private ConvTiles() {}

    /** The tile for wide rows of {@code length} pixels and {@code channels} output channels per chunk. */
    static Tile choose(long length, int channels) {
        Tile forced = forced();
        if (forced != null) {
            return new Tile(forced.p(), Math.min(forced.b(), channels));
        }
        Tile best = null;
        double bestCost = Double.MAX_VALUE;
        for (int p = 1; p <= MAX_P; p++) {
            for (int b = 1; b <= Math.min(MAX_B, channels); b++) {
                if (p * b > MAX_ACC) {
                    continue;
                }
                double cost = cost(length, channels, p, b);
                if (cost < bestCost - 1e-9) {
                    bestCost = cost;
                    best = new Tile(p, b);
                }
            }
        }
        return best;
    }

    /** Estimated cycles per tap and input channel over the whole map: blocks of pixels times channel blocks. */
    static double cost(long length, int channels, int p, int b) {
        long blocks = (length + (long) VectorConvEmitter.VL * p - 1) / ((long) VectorConvEmitter.VL * p);
        int full = channels / b;
        int rest = channels % b;
        // a narrower last block is charged as a full one: it streams the same input for fewer fmas, and
        // measured (ConvBench, docs/performance.md) 3x8 beat 4x6 on 64 and 128 channels, which 6 does not divide
        return blocks * (full + (rest > 0 ? 1 : 0)) * tap(p, b);
    }

    /** Cycles of one tap of a {@code p x w} tile: fmas or loads, whichever bind, plus address and bounds work. */
    private static double tap(int p, int w) {
        return Math.max(p * w / 2.0, (p + w) / 2.0) + 0.25 * (p + w);
    }

    /**
     * A kernel's own tile {@code fixed} (the Winograd GEMMs': their loops hold more vectors than the cost
     * model counts), unless a tile is forced: then the forced one, as {@link #choose} gives it.
     */
    static Tile unlessForced(Tile fixed, long length, int channels) {
        return forced() != null ? choose(length, channels) : fixed;
    }

    /** The forced tile ({@link #override}, else {@code cnnc.conv.tile}), or null. */
    static Tile forced() {
        Tile t = override;
        if (t != null) {
            return t;
        }
        String prop = System.getProperty("cnnc.conv.tile");
        if (prop == null || prop.isBlank()) {
            return null;
        }
        String[] pb = prop.trim().split("x");
        try {
            int p = Integer.parseInt(pb[0]);
            int b = Integer.parseInt(pb[1]);
            if (p >= 1 && p <= MAX_P && b >= 1 && b <= MAX_B && pb.length == 2) {
                return new Tile(p, b);
            }
        } catch (RuntimeException e) {
            // fall through to the error
        }
        throw new IllegalArgumentException("cnnc.conv.tile must be PxB with P in 1.." + MAX_P + " and B in 1.." + MAX_B + ", found " + prop);
    }

    /**
     * conv_grad's tile: {@code k} output channels (a chunk: they divide {@code K}) times {@code taps}
     * kernel taps per helper, {@code k·taps} accumulators. Per {@link VectorConvEmitter#VL} pixels it
     * loads {@code k} vectors of ΔY and one of Xp per tap and does {@code k·taps} fmas.
     */
    record GradTile(int k, int taps) {}

    /**
     * The conv_grad tile with the fewest loads per fma, among channel blocks of 8, 4, 2 or 1 that
     * divide {@code K} and leave at least {@code min(K, 8)} chunks for the threads.
     */
    static GradTile gradient(int channels, int taps) {
        Integer forced = gradOverride;
        if (forced != null && channels % forced == 0) {
            return new GradTile(forced, Math.min(taps, MAX_ACC / forced));
        }
        GradTile best = null;
        double bestCost = Double.MAX_VALUE;
        for (int k : new int[] {1, 2, 4, 8}) {
            if (channels % k != 0 || channels / k < Math.min(channels, 8)) {
                continue;
            }
            int helpers = (taps + MAX_ACC / k - 1) / (MAX_ACC / k);
            int per = (taps + helpers - 1) / helpers;
            // per output channel and pixel vector: fma cycles, or loads (ΔY once per helper, Xp once per tap)
            double cost = Math.max(k * taps / 2.0, (helpers * k + taps) / 2.0) / k;
            if (cost < bestCost - 1e-9) {
                bestCost = cost;
                best = new GradTile(k, per);
            }
        }
        return best;
    }
}
