"""What every operation of docs/language.md §3 computes forward, written from the spec in PyTorch.

Backward comes from torch.autograd. Where the spec fixes a detail that a torch flag would decide
differently or leave undocumented (pooling with ceil, the first maximum in a window), the
operation is written out explicitly so that autograd routes the sensitivity exactly as the spec says.
"""

import torch
import torch.nn.functional as F


def conv_pads(kernel, anchor, padding):
    """(Pt, Pb, Pl, Pr) of a conv: from its anchor (m, n), else from padding same|valid|full."""
    M, N = kernel
    if anchor is None:
        padding = padding or "same"
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "full":
            return (M - 1, M - 1, N - 1, N - 1)
        anchor = ((M - 1) // 2, (N - 1) // 2)
    m, n = anchor
    return (m, M - 1 - m, n, N - 1 - n)


def conv_out(size, pad_before, pad_after, kernel, stride):
    """H' = floor((H + Pt + Pb - M) / sh) + 1; may be < 1 (an error the caller reports)."""
    return (size + pad_before + pad_after - kernel) // stride + 1


def conv(x, weight, bias, pads, stride):
    """Y[t,k,i,j] = b[k] + sum_{c,p,q} W[k,c,p,q] X[t,c,i*sh-Pt+p, j*sw-Pl+q]; reads outside X are 0."""
    pt, pb, pl, pr = pads
    return F.conv2d(F.pad(x, (pl, pr, pt, pb)), weight, bias, stride)


def deconv(x, weight, bias, stride, padding, output_padding):
    """PyTorch's conv_transpose2d: Y[t,k,i*sh-p+u, j*sw-q+v] += X[t,c,i,j] W[c,k,u,v], cropped p (q) from the
    top (left) and p-a (q-b) from the bottom (right); H' = sh*(H-1) + M - 2p + a."""
    return F.conv_transpose2d(x, weight, bias, stride, padding, output_padding)


def deconv_out(size, kernel, stride, pad, extra):
    """sh*(H-1) + M - 2p + a."""
    return stride * (size - 1) + kernel - 2 * pad + extra


def bn_dims(per):
    """The dimensions a bn statistic runs over: t for per element, (t, i, j) for per channel."""
    return (0,) if per == "element" else (0, 2, 3)


def bn(x, gamma, beta, per, eps):
    """Training-mode batch norm, biased variance. Returns (Y, batch mean, biased batch variance, n)."""
    dims = bn_dims(per)
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    xhat = (x - mean) / torch.sqrt(var + eps)
    shape = (1,) + tuple(gamma.shape) + (1,) * (3 - gamma.dim())  # [C,H,W] or [C] -> broadcastable
    y = gamma.reshape(shape) * xhat + beta.reshape(shape)
    n = 1
    for d in dims:
        n *= x.shape[d]
    return y, mean.reshape(gamma.shape), var.reshape(gamma.shape), n


def bn_running(run_mean, run_var, mean, var, n, momentum):
    """run = (1 - momentum) * run + momentum * batch, with the unbiased variance var * n / (n - 1)."""
    return ((1 - momentum) * run_mean + momentum * mean,
            (1 - momentum) * run_var + momentum * var * n / (n - 1))


def relu(x):
    """max(0, X); the sensitivity passes where X > 0 only (relu'(0) = 0)."""
    return torch.where(x > 0, x, torch.zeros_like(x))


def pool_out(size, window, stride, ceil):
    """floor((H-P)/s)+1, or with ceil ceil((H-P)/s)+1 less a last window that starts outside the input."""
    if not ceil:
        return (size - window) // stride + 1
    out = -(-(size - window) // stride) + 1
    if (out - 1) * stride >= size:
        out -= 1
    return out


def windows(x, window, stride, ceil, fill):
    """[T, C, H', W', P*Q]: every window's cells in row-major order; cells outside X read `fill`."""
    _, _, H, W = x.shape
    (P, Q), (sh, sw) = window, stride
    oh, ow = pool_out(H, P, sh, ceil), pool_out(W, Q, sw, ceil)
    if oh < 1 or ow < 1:
        raise ValueError(f"pool window {P}x{Q} does not fit a {H}x{W} input")
    # Rows and columns the windows span: pad with `fill` past the input, or crop rows no window reads.
    rows, cols = (oh - 1) * sh + P, (ow - 1) * sw + Q
    padded = F.pad(x, (0, cols - W, 0, rows - H), value=fill)
    u = padded.unfold(2, P, sh).unfold(3, Q, sw)  # [T, C, oh, ow, P, Q]
    return u.reshape(u.shape[0], u.shape[1], oh, ow, P * Q)


def maxpool(x, window, stride, ceil):
    """Returns (Y, Path): Y the window maximum, Path (int32) the input position i'*W + j' of the
    first maximum in row-major window order. Y is gathered at Path so that autograd routes each
    output's sensitivity to exactly that cell, accumulating where windows overlap."""
    W = x.shape[3]
    (P, Q), (sh, sw) = window, stride
    cells = windows(x, window, stride, ceil, float("-inf"))
    best = cells.max(dim=-1, keepdim=True).values
    order = torch.arange(P * Q, dtype=torch.long).expand_as(cells)
    first = torch.where(cells == best, order, torch.full_like(order, P * Q)).min(dim=-1, keepdim=True).values
    y = cells.gather(-1, first).squeeze(-1)
    first = first.squeeze(-1)
    oh, ow = y.shape[2], y.shape[3]
    i0 = (torch.arange(oh) * sh).reshape(1, 1, oh, 1)
    j0 = (torch.arange(ow) * sw).reshape(1, 1, 1, ow)
    path = (i0 + first // Q) * W + (j0 + first % Q)
    return y, path.to(torch.int32)


def avgpool(x, window, stride, ceil):
    """The mean of each window's in-range cells (cells outside the input are not counted)."""
    total = windows(x, window, stride, ceil, 0.0).sum(dim=-1)
    count = windows(torch.ones_like(x[:1, :1]), window, stride, ceil, 0.0).sum(dim=-1)
    return total / count


def full(x, weight, bias):
    """Y[t,k] = b[k] + sum_l W[k,l] x[t,l], x flattened per sample in (c, i, j) order; T x K x 1 x 1."""
    y = x.reshape(x.shape[0], -1) @ weight.t()
    if bias is not None:
        y = y + bias
    return y.reshape(y.shape[0], y.shape[1], 1, 1)


def softmax(x):
    """Normalized over channels at every (t, i, j)."""
    return torch.softmax(x, dim=1)


def cross_entropy(softmax_input, z):
    """J = -(1/T) sum z * log(softmax(X)), computed from the softmax input as log_softmax."""
    return -(z * torch.log_softmax(softmax_input, dim=1)).sum() / z.shape[0]


def concat(*xs):
    return torch.cat(xs, dim=1)


# dropout's mask, written from docs/files.md ("Dropout masks") with Python integers: SplitMix64's
# finalizer over (seed, node, step, element), compared as 24 bits with round(p * 2^24).
_M64 = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15


def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _fnv1a64(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & _M64
    return h


def dropout_mask(seed, node, step, shape, p):
    """1.0 where element e (row-major index in the whole [T, C, H, W] batch) is kept, 0.0 where dropped:
    base = mix(seed) ^ fnv1a64("dropout " + node), key = mix(base + (step+1)·γ),
    keep(e) = mix(key + (e+1)·γ) >> 40 >= floor(p·2^24 + 0.5)."""
    base = _mix(seed & _M64) ^ _fnv1a64("dropout " + node)
    key = _mix((base + (step + 1) * _GAMMA) & _M64)
    threshold = int(p * (1 << 24) + 0.5)
    n = 1
    for d in shape:
        n *= d
    keep = [1.0 if (_mix((key + (e + 1) * _GAMMA) & _M64) >> 40) >= threshold else 0.0 for e in range(n)]
    return torch.tensor(keep, dtype=torch.float64).reshape(shape)


def dropout(x, mask, p):
    """Training-mode dropout with a given mask: X·M/(1-p), what F.dropout computes with its own mask."""
    return x * mask.to(x.dtype) / (1 - p)
