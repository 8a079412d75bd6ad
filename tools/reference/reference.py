#!/usr/bin/python3
"""Writes PyTorch reference fixtures for .cnn models: what `cnnc grad` must produce (docs/files.md).

For every network in the given files, into OUT/<network>/:
  weights.safetensors   seeded parameters and bn running statistics (F32)
  input.safetensors     a seeded input batch in [0, 1) and one-hot targets, [T, C, H, W] (F32)
  expected.safetensors  loss, activations, sensitivities grad.<node>, parameter gradients
                        grad.<node>.<kind>, path tensors path.<node> (I32) and the bn running
                        statistics after one training-mode forward
Computed in float64 from the float32 values the files hold, written as F32. See README.md.

Usage: reference.py [--batch T] [--seed S] [--out DIR] MODEL.cnn...
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import ops  # noqa: E402
import safetensors_io  # noqa: E402
from cnnparse import CnnError, parse_file  # noqa: E402
from model import forward, infer_shapes, init_feeds, init_params, param_shapes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# A relu input or a max-pool winner must clear its kink by this fraction of the tensor's largest
# magnitude, so that float32 code (errors near 1e-6 of that) takes the same branch as float64.
MARGIN = 1e-5
MAX_ATTEMPTS = 1000
# A float64 tensor no larger than this is zero in exact arithmetic: it is written as exact zeros
# and named in the metadata, for the comparison cannot be relative (README.md, "Tolerances").
ZERO = 1e-12


def _input_of(f, feeds, node):
    name = node.inputs[0]
    return (feeds[name], True) if name in feeds else (f.acts[name], False)


def kink_problems(net, f64, f32, feeds):
    """Why this draw is fragile, or []: a relu input or max-pool near tie closer than MARGIN in
    float64, or a relu mask or path tensor that differs between float64 and float32 runs."""
    problems = []
    for node in net.nodes:
        if node.op not in ("relu", "leaky_relu", "elu", "maxpool"):
            continue
        x, exact = _input_of(f64, feeds, node)
        x = x.detach()
        scale = x.abs().max().item()
        if node.op in ("relu", "leaky_relu", "elu"):  # a kink at 0
            x32 = _input_of(f32, feeds, node)[0].detach()
            if not exact and bool((x[x != 0].abs() < MARGIN * scale).any()):
                problems.append(f"{node.name}: a relu input within {MARGIN} of 0")
            if not torch.equal(x > 0, x32 > 0):
                problems.append(f"{node.name}: relu masks differ in float32")
        else:
            a = node.args
            if not exact:
                cells = ops.windows(x, a["window"], a["stride"], a["ceil"], float("-inf"))
                best = cells.max(dim=-1, keepdim=True).values
                runner_up = torch.where(cells == best, torch.full_like(cells, float("-inf")), cells).max(dim=-1).values
                if bool(((best.squeeze(-1) - runner_up) < MARGIN * scale).any()):
                    problems.append(f"{node.name}: a max-pool near tie within {MARGIN}")
            if not torch.equal(f64.paths[node.name], f32.paths[node.name]):
                problems.append(f"{node.name}: paths differ in float32")
    return problems


def _f32(t):
    return t.detach().to(torch.float32).contiguous().reshape(-1).tolist()


def _entry(name, t):
    if t.dtype == torch.int32:
        return (name, "I32", tuple(t.shape), t.reshape(-1).tolist())
    if t.dtype == torch.float64 and t.numel() and t.detach().abs().max().item() <= ZERO:
        t = torch.zeros_like(t)  # zero in exact arithmetic, e.g. the bias gradient of a conv feeding a bn
    return (name, "F32", tuple(t.shape), _f32(t))


def expected_tensors(net, f):
    """The tensors of expected.safetensors, in a fixed order."""
    out = [("loss", "F32", (1,), _f32(f.loss.reshape(1)))]
    for node in net.nodes:
        act = f.acts[node.name]
        out.append(_entry(node.name, act))
        if node.name in f.paths:
            out.append(_entry(f"path.{node.name}", f.paths[node.name]))
        if node.name in f.masks:
            out.append(_entry(f"mask.{node.name}", f.masks[node.name]))
        # Autograd leaves .grad empty where cnnc has no sensitivity: tensors that depend on no
        # parameter, do not reach the loss, or (the softmax output y) reach it only through the
        # fused softmax + cross-entropy, whose backward starts at the softmax input.
        if act.grad is not None:
            out.append(_entry(f"grad.{node.name}", act.grad))
    for name, leaf in f.params.items():
        if leaf.grad is not None:
            out.append(_entry(f"grad.{name}", leaf.grad))
    for name, value in f.running.items():
        out.append(_entry(name, value))
    return out


def generate(path, net, T, seed, out_dir):
    shapes = infer_shapes(net, T)
    for attempt in range(MAX_ATTEMPTS):
        gen = torch.Generator().manual_seed(seed + attempt)
        params = init_params(net, shapes, gen)
        feeds = init_feeds(net, shapes, gen)
        f64 = forward(net, params, feeds, torch.float64)
        with torch.no_grad():
            f32 = forward(net, params, feeds, torch.float32)
        problems = kink_problems(net, f64, f32, feeds)
        if not problems:
            break
    else:
        raise SystemExit(f"{net.name}: no draw without near ties in {MAX_ATTEMPTS} seeds: {problems}")
    f64.loss.backward()

    used = seed + attempt
    meta = {"model": net.name, "source": os.path.relpath(os.path.abspath(path), REPO), "batch": T,
            "seed": used, "generator": "tools/reference/reference.py",
            "computed": "float64 from the float32 values in weights/input, written as F32"}
    target = os.path.join(out_dir, net.name)
    os.makedirs(target, exist_ok=True)
    names = [f"{node}.{kind}" for node, kind, _ in param_shapes(net, shapes)]
    safetensors_io.write(os.path.join(target, "weights.safetensors"),
                         [_entry(n, params[n]) for n in names], meta)
    safetensors_io.write(os.path.join(target, "input.safetensors"),
                         [_entry(n, feeds[n]) for n in list(net.inputs) + list(net.targets)], meta)
    expected = expected_tensors(net, f64)
    zeros = [e[0] for e in expected if e[1] == "F32" and not any(e[3])]
    meta = dict(meta, running_stats="<bn>.running_mean/var: after this one training-mode forward",
                zeros=",".join(zeros))
    safetensors_io.write(os.path.join(target, "expected.safetensors"), expected, meta)
    size = sum(os.path.getsize(os.path.join(target, n)) for n in os.listdir(target))
    print(f"{target}: seed {used}, batch {T}, loss {f64.loss.item():.6f}, {size} bytes")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", help=".cnn files; every network in them gets a fixture")
    ap.add_argument("--batch", type=int, default=4, help="batch size T (default 4)")
    ap.add_argument("--seed", type=int, default=1, help="first seed tried (default 1)")
    ap.add_argument("--out", default=os.path.join(HERE, "fixtures"), help="fixtures folder")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    seen = {}
    try:
        for path in args.models:
            for net in parse_file(path):
                if net.name in seen:
                    raise CnnError(f"{path}: network '{net.name}' is also in {seen[net.name]}")
                seen[net.name] = path
                generate(path, net, args.batch, args.seed, args.out)
    except CnnError as e:
        print(f"reference.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
