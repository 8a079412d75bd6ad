"""A parsed network made runnable: shapes, seeded parameters and the forward pass in torch."""

import math
from dataclasses import dataclass, field

import torch

import ops
from cnnparse import CnnError


def _fail(net, node, message):
    raise CnnError(f"{net.source}:{node.line}: {node.op} '{node.name}': {message}")


def infer_shapes(net, T):
    """{tensor: (T, C, H, W)} for every input, target and node, from docs/language.md §3's shape rules."""
    shapes = {name: (T,) + chw for name, chw in {**net.inputs, **net.targets}.items()}
    for node in net.nodes:
        ins = [shapes[i] for i in node.inputs]
        _, C, H, W = ins[0]
        a = node.args
        if node.op == "conv":
            pt, pb, pl, pr = ops.conv_pads(a["kernel"], a["anchor"], a["padding"])
            oh = ops.conv_out(H, pt, pb, a["kernel"][0], a["stride"][0])
            ow = ops.conv_out(W, pl, pr, a["kernel"][1], a["stride"][1])
            out = (T, a["K"], oh, ow)
        elif node.op == "deconv":
            (M, N), (sh, sw), (p, q), (ah, aw) = a["kernel"], a["stride"], a["padding"], a["output_padding"]
            if min(p, q) < 0 or not (0 <= ah < sh and 0 <= aw < sw):
                _fail(net, node, f"padding {(p, q)} or output_padding {(ah, aw)} out of range for stride {(sh, sw)}")
            out = (T, a["K"], ops.deconv_out(H, M, sh, p, ah), ops.deconv_out(W, N, sw, q, aw))
        elif node.op in ("maxpool", "avgpool"):
            (P, Q), (sh, sw) = a["window"], a["stride"]
            out = (T, C, ops.pool_out(H, P, sh, a["ceil"]), ops.pool_out(W, Q, sw, a["ceil"]))
        elif node.op == "full":
            out = (T, a["K"], 1, 1)
        elif node.op == "add":
            if ins[0] != ins[1]:
                _fail(net, node, f"shapes differ: {ins[0]} and {ins[1]}")
            out = ins[0]
        elif node.op == "concat":
            if any(s[2:] != (H, W) for s in ins):
                _fail(net, node, f"inputs differ in H x W: {ins}")
            out = (T, sum(s[1] for s in ins), H, W)
        else:  # bn, relu, sigmoid, tanh, leaky_relu, elu, softmax, dropout keep the shape
            out = ins[0]
            if node.op == "bn":
                n = T if a["per"] == "element" else T * H * W
                if n < 2:
                    _fail(net, node, f"training needs at least 2 values per statistic, found {n}")
        if out[2] < 1 or out[3] < 1:
            _fail(net, node, f"output {out[2]}x{out[3]} is empty")
        shapes[node.name] = out
    y, z = net.loss[1], net.loss[2]
    if shapes[y] != shapes[z]:
        raise CnnError(f"{net.source}: network '{net.name}': loss: {y} {shapes[y]} and {z} {shapes[z]} differ")
    return shapes


def param_shapes(net, shapes):
    """[(node, kind, shape)] in node order: weights, biases, bn gamma/beta/running stats (docs/files.md)."""
    out = []
    for node in net.nodes:
        a = node.args
        _, C, H, W = shapes[node.inputs[0]]
        if node.op == "conv":
            out.append((node.name, "weight", (a["K"], C) + tuple(a["kernel"])))
            if a["bias"]:
                out.append((node.name, "bias", (a["K"],)))
        elif node.op == "deconv":  # [C][K][M][N], as torch's ConvTranspose2d
            out.append((node.name, "weight", (C, a["K"]) + tuple(a["kernel"])))
            if a["bias"]:
                out.append((node.name, "bias", (a["K"],)))
        elif node.op == "full":
            out.append((node.name, "weight", (a["K"], C * H * W)))
            if a["bias"]:
                out.append((node.name, "bias", (a["K"],)))
        elif node.op == "bn":
            stat = (C, H, W) if a["per"] == "element" else (C,)
            for kind in ("gamma", "beta", "running_mean", "running_var"):
                out.append((node.name, kind, stat))
    return out


TRAINABLE = ("weight", "bias", "gamma", "beta")


def init_params(net, shapes, gen):
    """Seeded parameters, rounded to float32 (what the files hold) and held in float64:
    weights normal with std sqrt(2 / fan_in) (he), biases uniform in [-0.1, 0.1),
    gamma 1 + 0.1 normal, beta 0.1 normal, running mean 0 and running variance 1."""
    params = {}
    for node, kind, shape in param_shapes(net, shapes):
        if kind == "weight":
            fan_in = math.prod(shape[1:])
            v = torch.randn(shape, generator=gen, dtype=torch.float64) * math.sqrt(2.0 / fan_in)
        elif kind == "bias":
            v = torch.rand(shape, generator=gen, dtype=torch.float64) * 0.2 - 0.1
        elif kind == "gamma":
            v = 1 + 0.1 * torch.randn(shape, generator=gen, dtype=torch.float64)
        elif kind == "beta":
            v = 0.1 * torch.randn(shape, generator=gen, dtype=torch.float64)
        elif kind == "running_mean":
            v = torch.zeros(shape, dtype=torch.float64)
        else:
            v = torch.ones(shape, dtype=torch.float64)
        params[f"{node}.{kind}"] = v.float().double()
    return params


def init_feeds(net, shapes, gen):
    """Inputs uniform in [0, 1) like images; targets one-hot over channels at every (t, i, j)."""
    feeds = {}
    for name in net.inputs:
        feeds[name] = torch.rand(shapes[name], generator=gen, dtype=torch.float64).float().double()
    for name in net.targets:
        T, C, H, W = shapes[name]
        label = torch.randint(C, (T, 1, H, W), generator=gen)
        feeds[name] = torch.zeros((T, C, H, W), dtype=torch.float64).scatter_(1, label, 1.0)
    return feeds


@dataclass
class Forward:
    acts: dict = field(default_factory=dict)  # node -> activation (retain_grad on those needing grad)
    paths: dict = field(default_factory=dict)  # maxpool node -> int32 path tensor
    running: dict = field(default_factory=dict)  # "<bn>.running_mean"/"running_var" -> updated stats
    masks: dict = field(default_factory=dict)  # dropout node -> its mask (1 kept, 0 dropped), float64
    params: dict = field(default_factory=dict)  # "<node>.<kind>" -> leaf tensor in the run's dtype
    loss: torch.Tensor = None


def forward(net, params, feeds, dtype=torch.float64):
    """Runs the network once in training mode; parameters that are leaves require grad."""
    f = Forward()
    vals = {k: v.to(dtype) for k, v in feeds.items()}
    leaf = f.params
    for k, v in params.items():
        # A tensor that already requires grad (gradcheck's inputs) stays in the graph as it is.
        leaf[k] = v.to(dtype) if v.requires_grad else v.to(dtype).requires_grad_(k.rsplit(".", 1)[1] in TRAINABLE)
    for node in net.nodes:
        a, xs = node.args, [vals[i] for i in node.inputs]
        p = lambda kind: leaf.get(f"{node.name}.{kind}")
        if node.op == "conv":
            pads = ops.conv_pads(a["kernel"], a["anchor"], a["padding"])
            y = ops.conv(xs[0], p("weight"), p("bias"), pads, tuple(a["stride"]))
        elif node.op == "deconv":
            y = ops.deconv(xs[0], p("weight"), p("bias"), tuple(a["stride"]), tuple(a["padding"]), tuple(a["output_padding"]))
        elif node.op == "bn":
            y, mean, var, n = ops.bn(xs[0], p("gamma"), p("beta"), a["per"], a["eps"])
            rm, rv = ops.bn_running(p("running_mean"), p("running_var"), mean.detach(), var.detach(), n, a["momentum"])
            f.running[f"{node.name}.running_mean"], f.running[f"{node.name}.running_var"] = rm, rv
        elif node.op == "relu":
            y = ops.relu(xs[0])
        elif node.op == "sigmoid":
            y = torch.sigmoid(xs[0])
        elif node.op == "tanh":
            y = torch.tanh(xs[0])
        elif node.op == "leaky_relu":
            y = torch.nn.functional.leaky_relu(xs[0], a["slope"])
        elif node.op == "elu":
            y = torch.nn.functional.elu(xs[0], a["alpha"])
        elif node.op == "maxpool":
            y, f.paths[node.name] = ops.maxpool(xs[0], a["window"], a["stride"], a["ceil"])
        elif node.op == "avgpool":
            y = ops.avgpool(xs[0], a["window"], a["stride"], a["ceil"])
        elif node.op == "full":
            y = ops.full(xs[0], p("weight"), p("bias"))
        elif node.op == "softmax":
            y = ops.softmax(xs[0])
        elif node.op == "add":
            y = xs[0] + xs[1]
        elif node.op == "concat":
            y = ops.concat(*xs)
        elif node.op == "dropout":
            # the mask cnnc draws for the train block's seed at step 0 (a new network's first forward)
            seed = net.train.get("seed", ("int", 1))[1]  # train { seed S; }, 1 when the block does not say
            m = ops.dropout_mask(int(seed), node.name, 0, tuple(xs[0].shape), a["p"])
            f.masks[node.name] = m
            y = ops.dropout(xs[0], m, a["p"])
        else:
            raise AssertionError(node.op)
        if y.requires_grad:
            y.retain_grad()
        vals[node.name] = f.acts[node.name] = y
    _, ysoft, z = net.loss
    softmax_input = vals[next(n for n in net.nodes if n.name == ysoft).inputs[0]]
    f.loss = ops.cross_entropy(softmax_input, vals[z])
    return f
