package cnnc.autodiff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of valid .cnn networks for property tests: convolutions with every padding
 * mode, anchors inside and outside the window, strides and even or asymmetric kernels; both bn
 * kinds; the three activations; max and average pooling with overlaps, gaps and ceil; full;
 * softmax inside the graph; add and concat of compatible tensors (also of one tensor with itself);
 * fan-outs; branches without parameters; dead branches that never reach the loss.
 *
 * <p>It keeps its own account of every tensor's shape (docs/language.md §3 formulas), every edge's inputs and
 * trained parameters, so a test can compute what the backward graph must hold without asking the
 * compiler.
 */
final class RandomNetwork {

    /** A tensor's shape {@code T x C x H x W}. */
    record Tensor(String name, int t, int c, int h, int w) {
        List<Integer> dims() {
            return List.of(t, c, h, w);
        }
    }

    /** One edge: the tensor it defines, its op word, the tensors it reads (by slot) and its trained parameters' shapes. */
    record Edge(String node, String op, List<String> inputs, Map<String, List<Integer>> trained) {}

    final long seed;
    final int batch;
    final List<String> inputs = new ArrayList<>();
    final Map<String, Tensor> tensors = new LinkedHashMap<>();
    final List<Edge> edges = new ArrayList<>();
    /** Untrained parameters (bn running statistics), which must never get a gradient. */
    final List<String> state = new ArrayList<>();
    String softmax;
    String logits;
    String target;
    String text;

    private final Random r;
    private final StringBuilder body = new StringBuilder();
    private final List<String> consumed = new ArrayList<>();
    private int next = 1;

    private RandomNetwork(long seed) {
        this.seed = seed;
        this.r = new Random(seed);
        this.batch = 2 + r.nextInt(3);
    }

    static RandomNetwork generate(long seed) {
        RandomNetwork n = new RandomNetwork(seed);
        n.build();
        return n;
    }

    private void build() {
        input("x", 1 + r.nextInt(3), 3 + r.nextInt(8), 3 + r.nextInt(8));   // a network has one input
        int count = 2 + r.nextInt(11);
        for (int i = 0; i < count; i++) {
            edge();
        }
        head();
        StringBuilder out = new StringBuilder("// random network, seed " + seed + "\nnetwork random_" + seed + " {\n");
        for (String in : inputs) {
            Tensor t = tensors.get(in);
            out.append("    input ").append(in).append(" : ").append(t.c()).append('x').append(t.h()).append('x').append(t.w()).append(";\n");
        }
        Tensor z = tensors.get(softmax);
        out.append("    target ").append(target).append(" : ").append(z.c())
                .append(z.h() * z.w() > 1 ? "x" + z.h() + "x" + z.w() : "").append(";\n");
        out.append(body);
        out.append("    loss cross_entropy(").append(softmax).append(", ").append(target).append(");\n");
        out.append("    train { batch ").append(batch).append("; seed ").append(seed).append("; }\n}\n");
        text = out.toString();
    }

    private void input(String name, int c, int h, int w) {
        inputs.add(name);
        tensors.put(name, new Tensor(name, batch, c, h, w));
    }

    /** One random edge over the tensors defined so far; retries until the drawn arguments are valid. */
    private void edge() {
        for (int attempt = 0; attempt < 50; attempt++) {
            Tensor a = operand();
            boolean ok = switch (r.nextInt(12)) {
                case 0, 1, 2 -> conv(a);
                case 3 -> bn(a);
                case 4 -> elementwise("relu", a);
                case 5 -> elementwise(r.nextBoolean() ? "sigmoid" : "tanh", a);
                case 6, 7 -> pool(a);
                case 8 -> full(a, 1 + r.nextInt(6));
                case 9 -> elementwise("softmax", a);
                case 10 -> add(a);
                default -> concat(a);
            };
            if (ok) {
                return;
            }
        }
        elementwise("relu", operand());
    }

    /** relu, sigmoid, tanh, softmax: the shape of the input. */
    private boolean elementwise(String op, Tensor a) {
        return emit(op, List.of(a), a.c(), a.h(), a.w(), "", Map.of());
    }

    /** Usually the newest tensor (chains), else any earlier one (fan-outs, branches without parameters). */
    private Tensor operand() {
        List<Tensor> all = new ArrayList<>(tensors.values());
        return r.nextInt(10) < 6 ? all.get(all.size() - 1) : all.get(r.nextInt(all.size()));
    }

    private boolean conv(Tensor a) {
        int k = 1 + r.nextInt(4);
        int m = 1 + r.nextInt(4);
        int n = 1 + r.nextInt(4);
        int sh = r.nextInt(3) == 0 ? 2 + r.nextInt(2) : 1;
        int sw = r.nextInt(3) == 0 ? 2 + r.nextInt(2) : sh;
        StringBuilder args = new StringBuilder(", " + k + ", kernel: " + m + "x" + n);
        int pt;
        int pb;
        int pl;
        int pr;
        switch (r.nextInt(5)) {
            case 0, 1 -> {   // same, written or by default; (M-1)/2 for even sizes too
                if (r.nextBoolean()) {
                    args.append(", padding: same");
                }
                pt = (m - 1) / 2;
                pl = (n - 1) / 2;
                pb = m - 1 - pt;
                pr = n - 1 - pl;
            }
            case 2 -> {
                args.append(", padding: valid");
                pt = pb = pl = pr = 0;
            }
            case 3 -> {
                args.append(", padding: full");
                pt = pb = m - 1;
                pl = pr = n - 1;
            }
            default -> {     // an anchor anywhere from 2 before the window to 2 past it: inside or exclave
                pt = r.nextInt(m + 4) - 2;
                pl = r.nextInt(n + 4) - 2;
                pb = m - 1 - pt;
                pr = n - 1 - pl;
                args.append(", anchor: (").append(pt).append(',').append(pl).append(')');
            }
        }
        if (sh != 1 || sw != 1) {
            args.append(", stride: ").append(sh).append('x').append(sw);
        }
        int h = Math.floorDiv(a.h() + pt + pb - m, sh) + 1;
        int w = Math.floorDiv(a.w() + pl + pr - n, sw) + 1;
        if (h < 1 || w < 1 || h > 14 || w > 14 || !overlaps(a.h(), m, pt, sh, h) || !overlaps(a.w(), n, pl, sw, w)) {
            return false;
        }
        boolean bias = r.nextInt(3) > 0;
        if (!bias) {
            args.append(", bias: false");
        }
        if (r.nextInt(4) == 0) {
            args.append(", init: xavier");
        }
        Map<String, List<Integer>> params = new LinkedHashMap<>();
        params.put("weight", List.of(k, a.c(), m, n));
        if (bias) {
            params.put("bias", List.of(k));
        }
        return emit("conv", List.of(a), k, h, w, args.toString(), params);
    }

    /** Whether some window touches the input: the first starts inside it and the last ends inside it. */
    private static boolean overlaps(int size, int kernel, int before, int stride, int out) {
        return -before <= size - 1 && (out - 1) * stride - before + kernel - 1 >= 0;
    }

    private boolean bn(Tensor a) {
        boolean channel = r.nextBoolean();
        String args = channel ? ", per: channel" : r.nextBoolean() ? ", per: element" : "";
        List<Integer> stat = channel ? List.of(a.c()) : List.of(a.c(), a.h(), a.w());
        Map<String, List<Integer>> params = new LinkedHashMap<>();
        params.put("gamma", stat);
        params.put("beta", stat);
        String node = "t" + next;
        state.add(node + ".running_mean");
        state.add(node + ".running_var");
        return emit("bn", List.of(a), a.c(), a.h(), a.w(), args, params);
    }

    private boolean pool(Tensor a) {
        boolean max = r.nextBoolean();
        int p = 1 + r.nextInt(Math.min(3, a.h()));
        int q = 1 + r.nextInt(Math.min(3, a.w()));
        int sh = p;
        int sw = q;
        StringBuilder args = new StringBuilder(", window: " + p + "x" + q);
        if (r.nextInt(3) > 0) {   // overlapping (stride < window), gaps (stride > window) or equal
            sh = 1 + r.nextInt(3);
            sw = 1 + r.nextInt(3);
            args.append(", stride: ").append(sh).append('x').append(sw);
        }
        boolean ceil = r.nextInt(3) == 0;
        if (ceil) {
            args.append(", ceil: true");
        }
        return emit(max ? "maxpool" : "avgpool", List.of(a), a.c(), poolSize(a.h(), p, sh, ceil), poolSize(a.w(), q, sw, ceil),
                args.toString(), Map.of());
    }

    /** docs/language.md §3, and with ceil PyTorch's rule that drops a last window starting past the input. */
    private static int poolSize(int size, int window, int stride, boolean ceil) {
        if (!ceil) {
            return (size - window) / stride + 1;
        }
        int out = (size - window + stride - 1) / stride + 1;
        return (out - 1) * stride >= size ? out - 1 : out;
    }

    private boolean full(Tensor a, int k) {
        boolean bias = r.nextInt(4) > 0;
        String args = ", " + k + (bias ? "" : ", bias: false") + (r.nextInt(4) == 0 ? ", init: xavier" : "");
        Map<String, List<Integer>> params = new LinkedHashMap<>();
        params.put("weight", List.of(k, a.c() * a.h() * a.w()));
        if (bias) {
            params.put("bias", List.of(k));
        }
        return emit("full", List.of(a), k, 1, 1, args, params);
    }

    /** add(a, b) with b of a's shape; add(a, a) when a has no partner, and now and then anyway. */
    private boolean add(Tensor a) {
        List<Tensor> partners = tensors.values().stream()
                .filter(b -> b != a && b.c() == a.c() && b.h() == a.h() && b.w() == a.w()).toList();
        Tensor b = partners.isEmpty() || r.nextInt(4) == 0 ? a : partners.get(r.nextInt(partners.size()));
        List<Tensor> in = r.nextBoolean() ? List.of(a, b) : List.of(b, a);
        return emit("add", in, a.c(), a.h(), a.w(), "", Map.of());
    }

    /** concat of a with one or two tensors of its height and width (possibly a again). */
    private boolean concat(Tensor a) {
        List<Tensor> partners = tensors.values().stream().filter(b -> b.h() == a.h() && b.w() == a.w()).toList();
        List<Tensor> in = new ArrayList<>(List.of(a));
        int more = 1 + r.nextInt(2);
        for (int i = 0; i < more; i++) {
            in.add(partners.get(r.nextInt(partners.size())));
        }
        java.util.Collections.shuffle(in, r);
        int c = in.stream().mapToInt(Tensor::c).sum();
        return c <= 24 && emit("concat", in, c, a.h(), a.w(), "", Map.of());
    }

    /** Writes {@code tN = op(inputs args);} and records its shape, inputs and trained parameters. */
    private boolean emit(String op, List<Tensor> in, int c, int h, int w, String args, Map<String, List<Integer>> params) {
        define("t" + next++, op, in, c, h, w, args, params);
        return true;
    }

    private void define(String node, String op, List<Tensor> in, int c, int h, int w, String args, Map<String, List<Integer>> params) {
        List<String> names = in.stream().map(Tensor::name).toList();
        body.append("    ").append(node).append(" = ").append(op).append('(').append(String.join(", ", names)).append(args).append(");\n");
        Map<String, List<Integer>> trained = new LinkedHashMap<>();
        params.forEach((k, v) -> trained.put(node + "." + k, v));
        edges.add(new Edge(node, op, names, trained));
        tensors.put(node, new Tensor(node, batch, c, h, w));
        consumed.addAll(names);
    }

    /**
     * The classifier: usually every unused tensor (a leaf) is flattened by a full layer and the
     * results are added into the logits; some leaves are left dead. Sometimes a 1x1 conv gives
     * logits per pixel (softmax over channels at every (i,j), a CxHxW target); rarely the softmax
     * reads an input directly, so nothing is trained at all.
     */
    private void head() {
        List<Tensor> all = new ArrayList<>(tensors.values());
        Tensor last = all.get(all.size() - 1);
        int kind = r.nextInt(20);
        if (kind == 0) {
            logits = inputs.get(0);
        } else if (kind < 5) {
            conv1x1(last);
        } else {
            int k = 2 + r.nextInt(5);
            List<Tensor> leaves = all.stream().filter(t -> !consumed.contains(t.name()) && !inputs.contains(t.name()))
                    .filter(t -> t == last || r.nextInt(6) > 0).toList();
            Tensor sum = null;
            for (Tensor leaf : leaves) {
                full(leaf, k);
                Tensor f = tensors.get("t" + (next - 1));
                if (sum != null) {
                    emit("add", List.of(sum, f), k, 1, 1, "", Map.of());
                    f = tensors.get("t" + (next - 1));
                }
                sum = f;
            }
            logits = sum.name();
        }
        Tensor l = tensors.get(logits);
        softmax = "y";
        target = "z";
        define(softmax, "softmax", List.of(l), l.c(), l.h(), l.w(), "", Map.of());
    }

    private void conv1x1(Tensor a) {
        int k = 2 + r.nextInt(3);
        Map<String, List<Integer>> params = new LinkedHashMap<>();
        params.put("weight", List.of(k, a.c(), 1, 1));
        params.put("bias", List.of(k));
        emit("conv", List.of(a), k, a.h(), a.w(), ", " + k + ", kernel: 1x1", params);
        logits = "t" + (next - 1);
    }
}
