#!/usr/bin/python3
"""bench/cold-start.sh's PyTorch side: a fresh Python process imports torch, builds the network as a
PyTorch user would (nn.Module, eval mode), loads the same safetensors weights cnnc trained, reads
the first test image of the IDX file and classifies it. Prints the label and the milliseconds since
the process started.

Usage: /usr/bin/python3 bench/cold_start_torch.py lenet5|fashion_bn WEIGHTS DATA_DIR
"""
import gzip
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):  # samples/lenet5.cnn
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(400, 120)
        self.f2 = nn.Linear(120, 84)
        self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.f2(F.relu(self.f1(x))))
        return F.softmax(self.f3(x), dim=1)


class FashionBn(nn.Module):  # samples/fashion_bn.cnn
    def __init__(self):
        super().__init__()
        self.c1, self.n1 = nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32)
        self.c2, self.n2 = nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64)
        self.c3, self.n3 = nn.Conv2d(64, 128, 3, padding=1, bias=False), nn.BatchNorm2d(128)
        self.f1 = nn.Linear(2048, 256)
        self.f2 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.n1(self.c1(x))), 2)
        x = F.max_pool2d(F.relu(self.n2(self.c2(x))), 2)
        x = F.max_pool2d(F.relu(self.n3(self.c3(x))), 2, ceil_mode=True)
        x = F.relu(self.f1(torch.flatten(x, 1)))
        return F.softmax(self.f2(x), dim=1)


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(blob[8 + n + begin:8 + n + end]), dtype=torch.float32)
        # cnnc names bn's scale and shift gamma and beta; PyTorch weight and bias.
        out[name.replace(".gamma", ".weight").replace(".beta", ".bias")] = t.reshape(info["shape"])
    return out


def first_image(data_dir):
    with gzip.open(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz"), "rb") as f:
        f.read(16)  # magic, count, rows, columns
        pixels = f.read(28 * 28)
    return torch.tensor(list(pixels), dtype=torch.float32).reshape(1, 1, 28, 28) / 255


def main():
    model = LeNet5() if sys.argv[1] == "lenet5" else FashionBn()
    state = read_safetensors(sys.argv[2])
    model.load_state_dict(state, strict=False)
    missing = set(model.state_dict()) - set(state) - {k for k in model.state_dict() if k.endswith("num_batches_tracked")}
    assert not missing, missing
    model.eval()
    with torch.no_grad():
        label = int(model(first_image(sys.argv[3])).argmax(dim=1)[0])
    print(f"label {label} ms_since_process_start {ms_since_process_start():.0f}")


def ms_since_process_start():
    """As bench/ColdStart.java: /proc/uptime now less the start in clock ticks from /proc/self/stat."""
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")) * 1000


if __name__ == "__main__":
    main()
