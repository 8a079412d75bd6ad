#!/usr/bin/python3
"""ONNX fixtures for cnnc import, written by PyTorch's own exporter (torch.onnx.export).

For every sample .cnn with reference weights a native torch module (nn.Conv2d, nn.BatchNorm1d/2d, nn.Linear, F.pad, ...)
with the sample's reference weights (tools/reference/fixtures/<net>/weights.safetensors), exported
with those weights as ONNX external data pointing into that file (so nothing is committed twice);
and three PyTorch-native networks with their own seeded weights inline: a LeNet (view(x.size(0), -1)
with a dynamic batch), a small ResNet (BatchNormalization, residual adds, a global average pool)
and an Inception-style block (Concat). Each gets <name>.onnx and <name>.io.safetensors: the input
x [2,C,H,W] and PyTorch's output y (eval mode). Run: /usr/bin/python3 tools/onnx/generate.py
Needs Debian's python3-torch and python3-onnx (for the external-data rewrite). Deterministic.
"""
import os
import struct
import sys
import json

import torch
import torch.nn as nn
import torch.nn.functional as F
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
import cnnparse  # noqa: E402
import ops  # noqa: E402
import safetensors_io  # noqa: E402

OUT = os.path.join(HERE, "fixtures")
torch.set_num_threads(1)


def tensor(entry):
    dtype, shape, values = entry
    return torch.tensor(values, dtype=torch.float32).reshape(shape)


class Sample(nn.Module):
    """A .cnn network as native torch layers; parameter names are the .cnn node names."""

    def __init__(self, net, weights):
        super().__init__()
        self.net = net
        self.layers = nn.ModuleDict()
        shapes = {n: (1,) + chw for n, chw in net.inputs.items()}
        from model import infer_shapes
        shapes = infer_shapes(net, 2)
        for node in net.nodes:
            a = node.args
            C = shapes[node.inputs[0]][1]
            if node.op == "conv":
                M, N = a["kernel"]
                m = nn.Conv2d(C, a["K"], (M, N), a["stride"], bias=a["bias"])
                m.weight.data = tensor(weights[node.name + ".weight"])
                if a["bias"]:
                    m.bias.data = tensor(weights[node.name + ".bias"])
                m.pads = ops.conv_pads(a["kernel"], a["anchor"], a["padding"])
            elif node.op == "deconv":
                m = nn.ConvTranspose2d(C, a["K"], tuple(a["kernel"]), tuple(a["stride"]), tuple(a["padding"]),
                                       tuple(a["output_padding"]), bias=a["bias"])
                m.weight.data = tensor(weights[node.name + ".weight"])
                if a["bias"]:
                    m.bias.data = tensor(weights[node.name + ".bias"])
            elif node.op == "bn":
                _, C, H, W = shapes[node.inputs[0]]
                per_element = a["per"] == "element"
                m = nn.BatchNorm1d(C * H * W, eps=a["eps"]) if per_element else nn.BatchNorm2d(C, eps=a["eps"])
                for torch_name, cnn_name in (("weight", "gamma"), ("bias", "beta"), ("running_mean", "running_mean"),
                                             ("running_var", "running_var")):
                    getattr(m, torch_name).data = tensor(weights[node.name + "." + cnn_name]).flatten()
                m.shape = (C, H, W) if per_element else None
            elif node.op == "full":
                L = shapes[node.inputs[0]][1] * shapes[node.inputs[0]][2] * shapes[node.inputs[0]][3]
                m = nn.Linear(L, a["K"], bias=a["bias"])
                m.weight.data = tensor(weights[node.name + ".weight"])
                if a["bias"]:
                    m.bias.data = tensor(weights[node.name + ".bias"])
            elif node.op in ("maxpool", "avgpool"):
                cls = nn.MaxPool2d if node.op == "maxpool" else nn.AvgPool2d
                extra = {} if node.op == "maxpool" else {"count_include_pad": False}
                m = cls(a["window"], a["stride"], ceil_mode=a["ceil"], **extra)
            else:
                m = nn.Identity()
            self.layers[node.name] = m
        self.shapes = shapes

    def forward(self, x):
        env = {next(iter(self.net.inputs)): x}
        for node in self.net.nodes:
            m = self.layers[node.name]
            ins = [env[i] for i in node.inputs]
            if node.op == "conv":
                pt, pb, pl, pr = m.pads
                y = m(F.pad(ins[0], (pl, pr, pt, pb)) if (pt, pb, pl, pr) != (0, 0, 0, 0) else ins[0])
            elif node.op == "deconv":
                y = m(ins[0])
            elif node.op == "bn":
                y = m(ins[0].flatten(1)).view(-1, *m.shape) if m.shape else m(ins[0])
            elif node.op == "full":
                y = m(ins[0].flatten(1))
            elif node.op in ("maxpool", "avgpool"):
                y = m(ins[0])
            elif node.op == "relu":
                y = torch.relu(ins[0])
            elif node.op == "sigmoid":
                y = torch.sigmoid(ins[0])
            elif node.op == "tanh":
                y = torch.tanh(ins[0])
            elif node.op == "leaky_relu":
                y = F.leaky_relu(ins[0], node.args["slope"])
            elif node.op == "elu":
                y = F.elu(ins[0], node.args["alpha"])
            elif node.op == "softmax":
                y = torch.softmax(ins[0], dim=1)
            elif node.op == "add":
                y = ins[0] + ins[1]
            elif node.op == "concat":
                y = torch.cat(ins, dim=1)
            elif node.op == "dropout":
                y = F.dropout(ins[0], node.args["p"], self.training)
            else:
                raise ValueError(node.op)
            env[node.name] = y
        return env[self.net.loss[1]]


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 5, padding=2)
        self.conv2 = nn.Conv2d(4, 8, 5)
        self.fc1 = nn.Linear(8 * 5 * 5, 32)
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc2(self.drop(F.relu(self.fc1(x))))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        return F.relu(x + self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.layer1 = Block(8)
        self.down = nn.Conv2d(8, 16, 1, stride=2, bias=False)
        self.down_bn = nn.BatchNorm2d(16)
        self.layer2 = Block(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.layer1(x)
        x = self.layer2(self.down_bn(self.down(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Inception(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, stride=2)
        self.b1 = nn.Conv2d(8, 4, 1)
        self.b3a = nn.Conv2d(8, 4, (1, 3), padding=(0, 1))
        self.b3b = nn.Conv2d(4, 4, (3, 1), padding=(1, 0))
        self.b5 = nn.Conv2d(8, 4, 5, padding=2)
        self.pool = nn.AvgPool2d(3, 2, ceil_mode=True)
        self.fc = nn.Linear(12 * 7 * 7, 10)

    def forward(self, x):
        x = torch.tanh(self.stem(x))
        y = torch.cat([self.b1(x), self.b3b(self.b3a(x)), torch.sigmoid(self.b5(x))], 1)
        return torch.softmax(self.fc(torch.flatten(self.pool(F.relu(y)), 1)), dim=1)


def randomize_bn(model, gen):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.weight.data = 1 + 0.2 * torch.randn(m.weight.shape, generator=gen)
            m.bias.data = 0.2 * torch.randn(m.bias.shape, generator=gen)
            m.running_mean.data = 0.2 * torch.randn(m.running_mean.shape, generator=gen)
            m.running_var.data = 0.5 + torch.rand(m.running_var.shape, generator=gen)


def export(name, model, x, opset, dynamic=False, external=None):
    model.eval()
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}} if dynamic else None,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)
    if external:
        externalize(path, *external)
    safetensors_io.write(os.path.join(OUT, name + ".io.safetensors"),
                         [("x", "F32", list(x.shape), x.flatten().tolist()),
                          ("y", "F32", list(y.shape), y.flatten().tolist())],
                         {"opset": opset, "torch": torch.__version__})


def externalize(path, weights_file, names):
    """Initializers equal to a tensor of the safetensors file become external data pointing into it."""
    with open(weights_file, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8:8 + n])
    model = onnx.load(path)
    rel = os.path.relpath(weights_file, os.path.dirname(path))
    for init in model.graph.initializer:
        cnn = names.get(init.name)
        if cnn is None or cnn not in header:
            continue
        begin, end = header[cnn]["data_offsets"]
        data = blob[8 + n + begin:8 + n + end]
        if init.raw_data != data:
            raise SystemExit(f"{path}: initializer {init.name} differs from {cnn} in {weights_file}")
        init.ClearField("raw_data")
        init.data_location = onnx.TensorProto.EXTERNAL
        for k, v in (("location", rel), ("offset", str(8 + n + begin)), ("length", str(end - begin))):
            e = init.external_data.add()
            e.key, e.value = k, v
    onnx.save(model, path)


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(12)
    for sample in sorted(f[:-4] for f in os.listdir(os.path.join(ROOT, "samples")) if f.endswith(".cnn")):
        net = cnnparse.parse_file(os.path.join(ROOT, "samples", sample + ".cnn"))[0]
        ref = os.path.join(ROOT, "tools", "reference", "fixtures", net.name)
        if not os.path.isdir(ref):  # no reference weights (cifar_vgg: too large to commit); ExportTest covers it
            continue
        weights, _ = safetensors_io.read(os.path.join(ref, "weights.safetensors"))
        inputs, _ = safetensors_io.read(os.path.join(ref, "input.safetensors"))
        model = Sample(net, weights)
        names = {}
        for node in net.nodes:
            for torch_name, cnn_name in (("weight", "weight"), ("bias", "bias")) if node.op in ("conv", "full", "deconv") else \
                    (("weight", "gamma"), ("bias", "beta"), ("running_mean", "running_mean"),
                     ("running_var", "running_var")) if node.op == "bn" else ():
                names[f"layers.{node.name}.{torch_name}"] = f"{node.name}.{cnn_name}"
        x = tensor(inputs["x"])[:2]
        export("sample_" + sample, model, x, 10, external=(os.path.join(ref, "weights.safetensors"), names))
    torch.manual_seed(1)
    lenet = LeNet()
    export("lenet_torch", lenet, torch.rand(2, 1, 28, 28, generator=gen), 9, dynamic=True)
    torch.manual_seed(2)
    resnet = ResNet()
    randomize_bn(resnet, gen)
    export("resnet_torch", resnet, torch.randn(2, 3, 16, 16, generator=gen), 17)
    torch.manual_seed(3)
    export("inception_torch", Inception(), torch.rand(2, 1, 32, 32, generator=gen), 11)


if __name__ == "__main__":
    main()
