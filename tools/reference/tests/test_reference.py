"""Tests of the PyTorch reference: every operation against a naive loop or torch's own op where
their semantics agree, the backward formulas of docs/language.md §3 against autograd, whole models against
finite differences, the parser, and the committed fixtures against a fresh run.

Run: /usr/bin/python3 -m unittest discover -s tools/reference/tests -v
"""

import contextlib
import io
import itertools
import math
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(TOOL))
sys.path.insert(0, TOOL)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import model  # noqa: E402
import ops  # noqa: E402
import reference  # noqa: E402
import safetensors_io  # noqa: E402
from cnnparse import CnnError, parse, parse_file  # noqa: E402
from model import forward, infer_shapes, init_feeds, init_params  # noqa: E402

torch.set_num_threads(1)
TEST_MODELS = sorted(os.path.join(HERE, n) for n in os.listdir(HERE) if n.endswith(".cnn"))
FIXTURES = os.path.join(TOOL, "fixtures")


def rand(*shape, seed=0):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 2 - 1


def naive_conv(x, w, b, pads, stride):
    """docs/language.md §3: Y[t][k][i][j] = b[k] + sum W[k][c][p][q] X[t][c][i*sh - Pt + p][j*sw - Pl + q]."""
    T, C, H, W = x.shape
    K, _, M, N = w.shape
    pt, pb, pl, pr = pads
    sh, sw = stride
    oh, ow = ops.conv_out(H, pt, pb, M, sh), ops.conv_out(W, pl, pr, N, sw)
    y = torch.zeros(T, K, oh, ow, dtype=x.dtype)
    for t, k, i, j in itertools.product(range(T), range(K), range(oh), range(ow)):
        s = b[k].item() if b is not None else 0.0
        for c, p, q in itertools.product(range(C), range(M), range(N)):
            r, col = i * sh - pt + p, j * sw - pl + q
            if 0 <= r < H and 0 <= col < W:
                s += w[k, c, p, q].item() * x[t, c, r, col].item()
        y[t, k, i, j] = s
    return y


def naive_pool(x, window, stride, ceil):
    """Max (first maximum, row-major), path and in-range mean of every window, by loops."""
    T, C, H, W = x.shape
    (P, Q), (sh, sw) = window, stride
    oh, ow = ops.pool_out(H, P, sh, ceil), ops.pool_out(W, Q, sw, ceil)
    mx = torch.zeros(T, C, oh, ow, dtype=x.dtype)
    avg = torch.zeros_like(mx)
    path = torch.zeros(T, C, oh, ow, dtype=torch.int32)
    for t, c, i, j in itertools.product(range(T), range(C), range(oh), range(ow)):
        best, where, total, count = None, None, 0.0, 0
        for a, b in itertools.product(range(P), range(Q)):
            r, col = i * sh + a, j * sw + b
            if r < H and col < W:
                v = x[t, c, r, col].item()
                total, count = total + v, count + 1
                if best is None or v > best:
                    best, where = v, r * W + col
        mx[t, c, i, j], path[t, c, i, j], avg[t, c, i, j] = best, where, total / count
    return mx, path, avg


# (kernel, anchor, padding, stride) for conv cases: anchors inside, on the edge, outside on every side.
CONV_CASES = [
    ((3, 3), None, None, (1, 1)), ((2, 2), None, "same", (1, 1)), ((3, 2), (0, 0), None, (1, 1)),
    ((3, 2), (-1, 3), None, (1, 1)), ((2, 4), (4, -2), None, (2, 2)), ((3, 3), None, "valid", (2, 1)),
    ((2, 3), None, "full", (1, 2)), ((1, 1), (-2, 2), None, (1, 1)), ((4, 3), (3, 2), None, (3, 2)),
]

POOL_CASES = [  # (window, stride, ceil): plain, overlapping, gaps, ceil partial and dropped windows
    ((2, 2), (2, 2), False), ((3, 3), (2, 2), False), ((2, 3), (1, 2), False), ((2, 2), (3, 3), False),
    ((2, 3), (2, 2), True), ((3, 3), (2, 2), True), ((2, 3), (3, 3), True), ((1, 1), (3, 3), True),
    ((3, 2), (2, 3), True),
]


class ConvTest(unittest.TestCase):
    def test_pads(self):
        self.assertEqual(ops.conv_pads((5, 5), None, None), (2, 2, 2, 2))
        self.assertEqual(ops.conv_pads((4, 2), None, "same"), (1, 2, 0, 1))
        self.assertEqual(ops.conv_pads((3, 3), None, "valid"), (0, 0, 0, 0))
        self.assertEqual(ops.conv_pads((3, 2), None, "full"), (2, 2, 1, 1))
        self.assertEqual(ops.conv_pads((3, 2), (-1, 3), None), (-1, 3, 3, -2))

    def test_forward_matches_naive_loop(self):
        x = rand(2, 2, 7, 6, seed=1)
        for kernel, anchor, padding, stride in CONV_CASES:
            with self.subTest(kernel=kernel, anchor=anchor, padding=padding, stride=stride):
                w, b = rand(3, 2, *kernel, seed=2), rand(3, seed=3)
                pads = ops.conv_pads(kernel, anchor, padding)
                torch.testing.assert_close(ops.conv(x, w, b, pads, stride), naive_conv(x, w, b, pads, stride))

    def test_backward_is_the_rotated_transposed_kernel(self):
        """Stride 1: dX = conv of dY with V[c][k][p][q] = W[k][c][M-1-p][N-1-q], anchor (M-1-m, N-1-n)."""
        for kernel, anchor in [((3, 3), (1, 1)), ((3, 2), (-1, 3)), ((2, 4), (4, -2)), ((2, 2), (0, 0))]:
            with self.subTest(kernel=kernel, anchor=anchor):
                M, N = kernel
                x = rand(2, 2, 6, 5, seed=4).requires_grad_()
                w = rand(3, 2, M, N, seed=5)
                y = ops.conv(x, w, None, ops.conv_pads(kernel, anchor, None), (1, 1))
                dy = rand(*y.shape, seed=6)
                y.backward(dy)
                v = w.transpose(0, 1).flip(2, 3)
                back = ops.conv_pads(kernel, (M - 1 - anchor[0], N - 1 - anchor[1]), None)
                torch.testing.assert_close(x.grad, ops.conv(dy, v, None, back, (1, 1)))

    def test_weight_gradient_formula(self):
        """dW[k][c][p][q] = sum_{t,i,j} dY[t][k][i][j] X[t][c][i*sh-Pt+p][j*sw-Pl+q]; db = sum dY."""
        x = rand(2, 2, 7, 6, seed=7)
        for kernel, anchor, padding, stride in CONV_CASES:
            with self.subTest(kernel=kernel, anchor=anchor, padding=padding, stride=stride):
                pads = ops.conv_pads(kernel, anchor, padding)
                w, b = rand(3, 2, *kernel, seed=8).requires_grad_(), rand(3, seed=9).requires_grad_()
                y = ops.conv(x, w, b, pads, stride)
                dy = rand(*y.shape, seed=10)
                y.backward(dy)
                # The formula is the conv forward with X as input and dY as the weights, per (k, c).
                expect = torch.zeros_like(w)
                for k, c in itertools.product(range(3), range(2)):
                    for p, q in itertools.product(range(kernel[0]), range(kernel[1])):
                        e = torch.zeros(1, 1, *kernel, dtype=x.dtype)
                        e[0, 0, p, q] = 1
                        expect[k, c, p, q] = (ops.conv(x[:, c:c + 1], e, None, pads, stride)[:, 0] * dy[:, k]).sum()
                torch.testing.assert_close(w.grad, expect)
                torch.testing.assert_close(b.grad, dy.sum(dim=(0, 2, 3)))


DECONV_CASES = [((3, 3), (1, 1), (0, 0), (0, 0)), ((3, 3), (2, 2), (1, 1), (1, 1)), ((2, 3), (2, 2), (1, 0), (1, 1)),
                ((1, 2), (3, 2), (0, 1), (2, 0)), ((4, 4), (2, 1), (1, 2), (0, 0))]


def naive_deconv(x, w, b, stride, padding, output_padding):
    """Y[t,k,i*sh-p+u, j*sw-q+v] += X[t,c,i,j] W[c,k,u,v], from b; H' = sh(H-1) + M - 2p + a."""
    T, C, H, W = x.shape
    _, K, M, N = w.shape
    (sh, sw), (p, q), (a, bb) = stride, padding, output_padding
    Ho, Wo = sh * (H - 1) + M - 2 * p + a, sw * (W - 1) + N - 2 * q + bb
    y = torch.zeros(T, K, Ho, Wo, dtype=x.dtype)
    if b is not None:
        y += b.reshape(1, K, 1, 1)
    for t, c, i, j, k, u, v in itertools.product(range(T), range(C), range(H), range(W), range(K), range(M), range(N)):
        r, s = i * sh - p + u, j * sw - q + v
        if 0 <= r < Ho and 0 <= s < Wo:
            y[t, k, r, s] += x[t, c, i, j] * w[c, k, u, v]
    return y


class DeconvTest(unittest.TestCase):
    def test_forward_matches_naive_scatter(self):
        x = rand(2, 2, 4, 3, seed=21)
        for kernel, stride, padding, extra in DECONV_CASES:
            with self.subTest(kernel=kernel, stride=stride, padding=padding, output_padding=extra):
                w, b = rand(2, 3, *kernel, seed=22), rand(3, seed=23)
                y = ops.deconv(x, w, b, stride, padding, extra)
                self.assertEqual(y.shape[2:], (ops.deconv_out(4, kernel[0], stride[0], padding[0], extra[0]),
                                               ops.deconv_out(3, kernel[1], stride[1], padding[1], extra[1])))
                torch.testing.assert_close(y, naive_deconv(x, w, b, stride, padding, extra))

    def test_forward_is_the_backward_data_of_its_dual_conv(self):
        """What the generated code relies on: deconv(X) = the input sensitivity of the conv with pads
        (p, p-a, q, q-b) from H' to H, at dY = X; and deconv's own input sensitivity is that conv."""
        for kernel, stride, padding, extra in DECONV_CASES:
            with self.subTest(kernel=kernel, stride=stride, padding=padding, output_padding=extra):
                x = rand(2, 2, 4, 3, seed=24).requires_grad_()
                w = rand(2, 3, *kernel, seed=25)
                y = ops.deconv(x, w, None, stride, padding, extra)
                pads = (padding[0], padding[0] - extra[0], padding[1], padding[1] - extra[1])
                z = torch.zeros(y.shape, dtype=y.dtype, requires_grad=True)
                dual = ops.conv(z, w, None, pads, stride)
                self.assertEqual(dual.shape, x.shape)
                dual.backward(x.detach())
                torch.testing.assert_close(z.grad, y.detach())
                dy = rand(*y.shape, seed=26)
                y.backward(dy)
                torch.testing.assert_close(x.grad, ops.conv(dy, w, None, pads, stride))


class PoolTest(unittest.TestCase):
    def test_out_size(self):
        self.assertEqual(ops.pool_out(9, 2, 3, False), 3)
        self.assertEqual(ops.pool_out(8, 3, 2, True), 4)  # ceil(5/2)+1, last window partial
        self.assertEqual(ops.pool_out(9, 2, 3, True), 3)  # ceil(7/3)+1 = 4 less a window starting at 9
        self.assertEqual(ops.pool_out(3, 4, 2, True), 1)  # window larger than the input

    def test_against_naive_loops_with_ties(self):
        x = torch.randint(0, 3, (2, 2, 9, 8), generator=torch.Generator().manual_seed(11)).double()
        for window, stride, ceil in POOL_CASES:
            with self.subTest(window=window, stride=stride, ceil=ceil):
                mx, path, avg = naive_pool(x, window, stride, ceil)
                y, p = ops.maxpool(x, window, stride, ceil)
                torch.testing.assert_close(y, mx)
                self.assertTrue(torch.equal(p, path), "path: first maximum in row-major window order")
                torch.testing.assert_close(ops.avgpool(x, window, stride, ceil), avg)

    def test_against_torch_where_semantics_agree(self):
        """Without ties torch's max_pool2d and its indices agree; with padding 0, avg_pool2d's divisor
        in ceil mode is the in-range count, as the spec says."""
        x = rand(2, 3, 9, 8, seed=12)
        for window, stride, ceil in POOL_CASES:
            with self.subTest(window=window, stride=stride, ceil=ceil):
                y, p = ops.maxpool(x, window, stride, ceil)
                ty, ti = F.max_pool2d(x, window, stride, ceil_mode=ceil, return_indices=True)
                torch.testing.assert_close(y, ty)
                self.assertTrue(torch.equal(p.long(), ti))
                torch.testing.assert_close(ops.avgpool(x, window, stride, ceil),
                                           F.avg_pool2d(x, window, stride, ceil_mode=ceil))

    def test_backward_accumulates_along_the_path(self):
        """Pooling_BF: dX = 0, then dX[Path] += dY; avg: every in-range cell += dY / count."""
        x0 = torch.randint(0, 3, (2, 2, 9, 8), generator=torch.Generator().manual_seed(13)).double()
        for window, stride, ceil in POOL_CASES:
            with self.subTest(window=window, stride=stride, ceil=ceil):
                x = x0.clone().requires_grad_()
                y, path = ops.maxpool(x, window, stride, ceil)
                dy = rand(*y.shape, seed=14)
                y.backward(dy)
                expect = torch.zeros(2, 2, 9 * 8, dtype=x.dtype)
                expect.scatter_add_(2, path.long().reshape(2, 2, -1), dy.reshape(2, 2, -1))
                torch.testing.assert_close(x.grad, expect.reshape(x.shape))

                x = x0.clone().requires_grad_()
                y = ops.avgpool(x, window, stride, ceil)
                y.backward(dy)
                (P, Q), (sh, sw) = window, stride
                expect = torch.zeros_like(x0)
                for i, j in itertools.product(range(y.shape[2]), range(y.shape[3])):
                    rows = slice(i * sh, min(i * sh + P, 9))
                    cols = slice(j * sw, min(j * sw + Q, 8))
                    count = (rows.stop - rows.start) * (cols.stop - cols.start)
                    expect[:, :, rows, cols] += (dy[:, :, i, j] / count)[:, :, None, None]
                torch.testing.assert_close(x.grad, expect)


class NormAndLossTest(unittest.TestCase):
    def test_bn_per_channel_is_torch_batch_norm(self):
        x = rand(4, 3, 5, 6, seed=15)
        gamma, beta = 1 + 0.1 * rand(3, seed=16), 0.1 * rand(3, seed=17)
        y, mean, var, n = ops.bn(x, gamma, beta, "channel", 1e-3)
        rm, rv = torch.zeros(3, dtype=x.dtype), torch.ones(3, dtype=x.dtype)
        ty = F.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=0.2, eps=1e-3)
        torch.testing.assert_close(y, ty)
        run_mean, run_var = ops.bn_running(torch.zeros(3, dtype=x.dtype), torch.ones(3, dtype=x.dtype),
                                           mean, var, n, 0.2)
        torch.testing.assert_close(run_mean, rm)
        torch.testing.assert_close(run_var, rv)

    def test_bn_per_element_statistics_over_the_batch(self):
        x = rand(4, 2, 3, 3, seed=18)
        gamma, beta = 1 + 0.1 * rand(2, 3, 3, seed=19), 0.1 * rand(2, 3, 3, seed=20)
        y, mean, var, n = ops.bn(x, gamma, beta, "element", 1e-5)
        self.assertEqual(n, 4)
        for c, i, j in itertools.product(range(2), range(3), range(3)):
            v = x[:, c, i, j]
            m, s2 = v.mean(), ((v - v.mean()) ** 2).mean()
            torch.testing.assert_close(y[:, c, i, j], gamma[c, i, j] * (v - m) / math.sqrt(s2 + 1e-5) + beta[c, i, j])

    def test_bn_backward_formula(self):
        """dX = gamma/sqrt(var+eps) * (dY - mean(dY) - xhat * mean(dY * xhat)); dgamma = sum dY*xhat."""
        for per, shape in (("element", (2, 3, 3)), ("channel", (2,))):
            with self.subTest(per=per):
                x = rand(4, 2, 3, 3, seed=21).requires_grad_()
                gamma = (1 + 0.1 * rand(*shape, seed=22)).requires_grad_()
                beta = (0.1 * rand(*shape, seed=23)).requires_grad_()
                y, mean, var, _ = ops.bn(x, gamma, beta, per, 1e-5)
                dy = rand(*y.shape, seed=24)
                y.backward(dy)
                dims = ops.bn_dims(per)
                b = lambda t: t.reshape((1,) + tuple(shape) + (1,) * (3 - len(shape)))
                xhat = (x.detach() - b(mean)) / torch.sqrt(b(var) + 1e-5)
                expect = b(gamma.detach()) / torch.sqrt(b(var) + 1e-5) * (
                    dy - dy.mean(dims, keepdim=True) - xhat * (dy * xhat).mean(dims, keepdim=True))
                torch.testing.assert_close(x.grad, expect)
                torch.testing.assert_close(gamma.grad, (dy * xhat).sum(dims).reshape(shape))
                torch.testing.assert_close(beta.grad, dy.sum(dims).reshape(shape))

    def test_softmax_cross_entropy_backward_is_y_minus_z_over_t(self):
        x = rand(4, 5, 2, 3, seed=25).requires_grad_()
        label = torch.randint(5, (4, 1, 2, 3), generator=torch.Generator().manual_seed(26))
        z = torch.zeros(4, 5, 2, 3, dtype=x.dtype).scatter_(1, label, 1.0)
        loss = ops.cross_entropy(x, z)
        y = ops.softmax(x)
        torch.testing.assert_close(loss, -(z * torch.log(y)).sum() / 4)
        loss.backward()
        torch.testing.assert_close(x.grad, (y - z).detach() / 4)

    def test_activation_derivatives(self):
        x = rand(3, 4, seed=27)
        x[0, 0] = 0.0
        for fn, dfn in ((ops.relu, lambda y, x: (x > 0).double()), (torch.sigmoid, lambda y, x: y * (1 - y)),
                        (torch.tanh, lambda y, x: 1 - y * y),
                        (lambda t: torch.nn.functional.leaky_relu(t, 0.2), lambda y, x: torch.where(x > 0, 1.0, 0.2).double()),
                        (lambda t: torch.nn.functional.elu(t, 0.7), lambda y, x: torch.where(y > 0, torch.ones_like(y), y + 0.7))):
            xx = x.clone().requires_grad_()
            y = fn(xx)
            y.backward(torch.ones_like(y))
            torch.testing.assert_close(xx.grad, dfn(y.detach(), x))

    def test_dropout_is_torch_dropout_with_its_mask(self):
        """ops.dropout with F.dropout's own mask is F.dropout, forward and backward (X·M/(1-p))."""
        x = rand(4, 3, 5, 5, seed=28)
        for p in (0.25, 0.5):
            torch.manual_seed(29)
            xt = x.clone().requires_grad_()
            want = F.dropout(xt, p, training=True)
            want.backward(torch.ones_like(want))
            mask = (want.detach() != 0).double()
            xo = x.clone().requires_grad_()
            got = ops.dropout(xo, mask, p)
            got.backward(torch.ones_like(got))
            torch.testing.assert_close(got, want)
            torch.testing.assert_close(xo.grad, xt.grad)

    def test_dropout_mask_rate_and_streams(self):
        """About a fraction p dropped; another node or step draws another mask; p = 0 keeps all."""
        shape = (8, 4, 16, 16)
        n = 8 * 4 * 16 * 16
        for p in (0.1, 0.5, 0.9):
            m = ops.dropout_mask(1, "d", 0, shape, p)
            self.assertTrue(bool(((m == 0) | (m == 1)).all()))
            self.assertAlmostEqual(1 - m.mean().item(), p, delta=5 * math.sqrt(p * (1 - p) / n))
        a = ops.dropout_mask(1, "d", 0, shape, 0.5)
        for other in (ops.dropout_mask(1, "e", 0, shape, 0.5), ops.dropout_mask(1, "d", 1, shape, 0.5),
                      ops.dropout_mask(2, "d", 0, shape, 0.5)):
            agree = (a == other).double().mean().item()
            self.assertAlmostEqual(agree, 0.5, delta=0.03)  # independent masks agree half the time
        self.assertTrue(bool((ops.dropout_mask(1, "d", 0, shape, 0.0) == 1).all()))


def drawn(path, T=2):
    """A model's network, parameters and inputs from the first seed the generator would accept."""
    net = parse_file(path)[0]
    shapes = infer_shapes(net, T)
    for seed in itertools.count(1):
        gen = torch.Generator().manual_seed(seed)
        params, feeds = init_params(net, shapes, gen), init_feeds(net, shapes, gen)
        with torch.no_grad():
            f64, f32 = forward(net, params, feeds), forward(net, params, feeds, torch.float32)
        if not reference.kink_problems(net, f64, f32, feeds):
            return net, params, feeds


class ModelTest(unittest.TestCase):
    def test_gradcheck_every_model(self):
        """Autograd through every test model and LeNet-5 against finite differences in float64:
        every entry of the small parameters, random directions (fast mode) through all of them."""
        for path in TEST_MODELS + [os.path.join(REPO, "samples", "lenet5.cnn")]:
            with self.subTest(model=os.path.basename(path)):
                net, params, feeds = drawn(path)
                trainable = [k for k in params if k.rsplit(".", 1)[1] in model.TRAINABLE]
                small = [k for k in trainable if params[k].numel() <= 100]
                for names, fast in ((small, False), (trainable, True)):
                    def loss(*values):
                        return forward(net, {**params, **dict(zip(names, values))}, feeds).loss

                    inputs = [params[k].clone().requires_grad_() for k in names]
                    self.assertTrue(torch.autograd.gradcheck(loss, inputs, eps=1e-6, atol=1e-6, rtol=1e-4,
                                                             fast_mode=fast))

    def test_expected_names(self):
        tensors, meta = safetensors_io.read(os.path.join(FIXTURES, "lenet5", "expected.safetensors"))
        self.assertEqual(meta["model"], "lenet5")
        self.assertIn("grad.f3", tensors)  # the softmax input: (y - z) / T
        self.assertIn("y", tensors)
        self.assertNotIn("grad.y", tensors)  # fused softmax + cross-entropy
        self.assertNotIn("grad.x", tensors)
        self.assertNotIn("x", tensors)
        self.assertEqual(tensors["path.p1"][0], "I32")
        self.assertEqual(tensors["loss"][1], (1,))
        self.assertEqual(tensors["grad.f1.weight"][1], (120, 400))
        pool = safetensors_io.read(os.path.join(FIXTURES, "ref_pool", "expected.safetensors"))[0]
        self.assertIn("path.p0", pool)
        self.assertNotIn("grad.p0", pool)  # the pooled input depends on no parameter
        self.assertNotIn("grad.c0.running_mean", pool)
        norm = safetensors_io.read(os.path.join(FIXTURES, "ref_norm", "expected.safetensors"))[0]
        self.assertEqual(norm["b1.running_var"][1], (4, 4, 5))
        self.assertNotIn("grad.b1.running_var", norm)
        norm_meta = safetensors_io.read(os.path.join(FIXTURES, "ref_norm", "expected.safetensors"))[1]
        self.assertEqual(norm_meta["zeros"], "grad.c1.bias,grad.f1.bias")  # biases feeding a bn
        self.assertEqual(set(norm["grad.c1.bias"][2]), {0.0})
        graph = safetensors_io.read(os.path.join(FIXTURES, "ref_graph", "expected.safetensors"))[0]
        self.assertIn("grad.sm", graph)  # a softmax that does not feed the loss has a sensitivity

    def test_float32_run_is_within_the_tolerance(self):
        """The same models run in float32 stay within the tolerance FixtureTest holds cnnc to, element
        by element (1e-5 relative plus 512 float32 ulps of the tensor's largest), paths exact: the
        tolerance a float32 implementation is held to is reachable."""
        for name in sorted(os.listdir(FIXTURES)):
            src = os.path.join(REPO, "samples", name + ".cnn")
            src = src if os.path.exists(src) else os.path.join(HERE, name + ".cnn")
            if not os.path.exists(src):
                continue
            with self.subTest(model=name):
                net = parse_file(src)[0]
                w = safetensors_io.read(os.path.join(FIXTURES, name, "weights.safetensors"))[0]
                x = safetensors_io.read(os.path.join(FIXTURES, name, "input.safetensors"))[0]
                exp = safetensors_io.read(os.path.join(FIXTURES, name, "expected.safetensors"))[0]
                as_tensor = lambda e: torch.tensor(e[2], dtype=torch.float64).reshape(e[1])
                f = forward(net, {k: as_tensor(v) for k, v in w.items()},
                            {k: as_tensor(v) for k, v in x.items()}, torch.float32)
                f.loss.backward()
                got = {e[0]: e for e in reference.expected_tensors(net, f)}
                self.assertEqual(set(got), set(exp))
                for key, (dtype, shape, values) in exp.items():
                    a, b = torch.tensor(got[key][3], dtype=torch.float64), torch.tensor(values, dtype=torch.float64)
                    if dtype == "I32":
                        self.assertTrue(torch.equal(a, b), key)
                    elif b.abs().max() == 0:  # zero in exact arithmetic: a holds rounding noise
                        self.assertLessEqual(a.abs().max().item(), 1e-6, key)
                    else:
                        allowed = 1e-5 * b.abs() + 512 * 2.0 ** -24 * b.abs().max()
                        self.assertTrue(bool(((a - b).abs() <= allowed).all()), key)

    def test_fixtures_are_up_to_date_and_deterministic(self):
        """Every fixture is what a fresh run writes, byte for byte, at the batch its metadata
        records; every model (samples and test models) has one."""
        # cifar_vgg has no fixture: no seed keeps its ~500k relu inputs and pool windows clear of a
        # kink (compiler/src/test/java/cnnc/TestSamples.java says what checks it instead)
        heavy = {"cifar_vgg.cnn"}
        files = sorted(os.path.join(REPO, "samples", n) for n in os.listdir(os.path.join(REPO, "samples"))
                       if n.endswith(".cnn") and n not in heavy) + TEST_MODELS
        by_network = {net.name: path for path in files for net in parse_file(path)}
        self.assertEqual(sorted(os.listdir(FIXTURES)), sorted(by_network), "a fixture per network: run tools/reference/generate.sh")
        for name in sorted(os.listdir(FIXTURES)):
            with self.subTest(model=name), tempfile.TemporaryDirectory() as out:
                batch = safetensors_io.read(os.path.join(FIXTURES, name, "input.safetensors"))[1]["batch"]
                with contextlib.redirect_stdout(io.StringIO()):
                    self.assertEqual(reference.main(["--out", out, "--batch", batch, by_network[name]]), 0)
                for f in ("weights", "input", "expected"):
                    with open(os.path.join(out, name, f + ".safetensors"), "rb") as a, \
                            open(os.path.join(FIXTURES, name, f + ".safetensors"), "rb") as b:
                        self.assertEqual(a.read(), b.read(), f"{name}/{f}: run tools/reference/generate.sh")


class ParserTest(unittest.TestCase):
    def test_lenet5(self):
        net = parse_file(os.path.join(REPO, "samples", "lenet5.cnn"))[0]
        self.assertEqual(net.inputs, {"x": (1, 28, 28)})
        self.assertEqual(net.targets, {"z": (10, 1, 1)})
        self.assertEqual(net.loss, ("cross_entropy", "y", "z"))
        c1 = net.nodes[0]
        self.assertEqual((c1.op, c1.inputs, c1.args["K"], c1.args["kernel"]), ("conv", ["x"], 6, (5, 5)))
        self.assertEqual(c1.args["stride"], (1, 1))
        self.assertTrue(c1.args["bias"])
        self.assertEqual(net.nodes[2].args["stride"], (2, 2))  # pool stride defaults to the window
        self.assertEqual(net.train["batch"], ("int", 64))
        shapes = infer_shapes(net, 4)
        self.assertEqual(shapes["p2"], (4, 16, 5, 5))
        self.assertEqual(shapes["f1"], (4, 120, 1, 1))

    def test_soft_keywords_values_and_comments(self):
        net = parse("""network n { input input : 2x3x3; target target : 2 ;
            loss = conv(input, 2, kernel: 3, anchor: (-1, 4), stride: 1x2, bias: false); /* a block
            comment */ network = bn(loss, eps: .5e-2, momentum: 1e-1);   // line comment
            f = full(network, 2); y = softmax(f);
            loss cross_entropy(y, target);
            train { batch 2; optimizer sgd(lr: 0.05, momentum: 0.9); } }""")[0]
        self.assertEqual(net.inputs, {"input": (2, 3, 3)})
        conv, norm = net.nodes[0].args, net.nodes[1].args
        self.assertEqual((conv["kernel"], conv["anchor"], conv["stride"], conv["bias"]), ((3, 3), (-1, 4), (1, 2), False))
        self.assertEqual((norm["per"], norm["eps"], norm["momentum"]), ("element", 0.005, 0.1))
        self.assertEqual(net.train["optimizer"][0], "sgd")

    def test_errors_name_the_place(self):
        cases = {
            "network n {\n input x : 1x4x4;\n c = conv(q, 2, kernel: 3x3);\n}": ":3:11:",
            "network n {\n input x : 1x4x4;\n c = conv(x, 2);\n}": "needs 'kernel'",
            "network n {\n input x : 1x4x4;\n c = conv(x, 2, kernel: 3x3, anchor: (1,1), padding: valid);\n}": "not both",
            "network n {\n input x : 1x4x4;\n c = pool(x);\n}": "unknown operation 'pool'",
            "network n {\n input x : 1x4x4 \n}": ":3:1:",
            "network n {\n input x : 1x4;\n}": "C or CxHxW",
        }
        for text, message in cases.items():
            with self.subTest(message=message):
                with self.assertRaises(CnnError) as e:
                    parse(text, "m.cnn")
                self.assertIn(message, str(e.exception))


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_and_layout(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.safetensors")
            safetensors_io.write(path, [("a", "F32", (2, 1), [1.5, -2.0]), ("p", "I32", (3,), [0, 7, -1])], {"k": 1})
            tensors, meta = safetensors_io.read(path)
            self.assertEqual(tensors, {"a": ("F32", (2, 1), [1.5, -2.0]), "p": ("I32", (3,), [0, 7, -1])})
            self.assertEqual(meta, {"k": "1"})
            with open(path, "rb") as f:
                blob = f.read()
            n = int.from_bytes(blob[:8], "little")
            self.assertEqual(n % 8, 0)
            self.assertEqual(len(blob), 8 + n + 8 + 12)


if __name__ == "__main__":
    unittest.main()
