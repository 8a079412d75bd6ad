#!/usr/bin/python3
"""PyTorch's side of the LeNet-5 benchmark (the peer cnnc is measured against).

Same network as samples/lenet5.cnn, same batch sizes, same thread count. Prints the same
machine-readable `key value` lines as `cnnc bench`: train_images_per_s (batch 64, SGD with
momentum), infer_batch1_latency_us (median), infer_batch256_images_per_s.

Usage: /usr/bin/python3 bench/pytorch_lenet5.py [--threads 2] [--seconds 5]
Needs Debian's python3-torch and libopenblas0-pthread (without it torch falls back to a
reference BLAS and is several times slower).
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
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
        x = F.relu(self.f1(x))
        x = F.relu(self.f2(x))
        return self.f3(x)


def timed(fn, seconds, min_runs):
    """Runs fn repeatedly for about `seconds`; returns the list of per-call durations."""
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < min_runs:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def setup(default_threads):
    """Parses --threads and --seconds, sets the threads and the seed; returns the arguments, the
    network and a training step (batch 64, SGD with momentum 0.9, as samples/lenet5.cnn), warmed up."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=default_threads)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    net = LeNet5()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    x64 = torch.rand(64, 1, 28, 28)
    y64 = torch.randint(0, 10, (64,))

    def train_step():
        opt.zero_grad(set_to_none=False)
        F.cross_entropy(net(x64), y64).backward()
        opt.step()

    for _ in range(20):
        train_step()
    return args, net, train_step


def main():
    args, net, train_step = setup(2)
    train = timed(train_step, args.seconds, 20)

    net.eval()
    x1 = torch.rand(1, 1, 28, 28)
    x256 = torch.rand(256, 1, 28, 28)
    with torch.inference_mode():
        def infer1():
            F.softmax(net(x1), dim=1)

        def infer256():
            F.softmax(net(x256), dim=1)
        for _ in range(50):
            infer1()
        lat = timed(infer1, args.seconds, 100)
        for _ in range(5):
            infer256()
        thr = timed(infer256, args.seconds, 10)

    print(f"torch_version {torch.__version__}")
    print(f"threads {torch.get_num_threads()}")
    print(f"train_images_per_s {64 / statistics.median(train):.0f}")
    print(f"infer_batch1_latency_us {statistics.median(lat) * 1e6:.1f}")
    print(f"infer_batch256_images_per_s {256 / statistics.median(thr):.0f}")


if __name__ == "__main__":
    main()
