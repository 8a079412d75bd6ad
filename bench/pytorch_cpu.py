#!/usr/bin/python3
"""PyTorch's LeNet-5 training step measured in CPU time, for a loaded machine where wall-clock
figures depend on what else runs: prints train_images_per_cpu_s at --threads 1 (process CPU time,
so other processes' load does not count) beside the wall-clock train_images_per_s.

Usage: /usr/bin/python3 bench/pytorch_cpu.py [--threads 1] [--seconds 5]
"""
import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_lenet5 import LeNet5  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    net = LeNet5()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    x64 = torch.rand(64, 1, 28, 28)
    y64 = torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad(set_to_none=False)
        F.cross_entropy(net(x64), y64).backward()
        opt.step()

    for _ in range(20):
        step()
    cpu, wall = [], []
    end = time.perf_counter() + args.seconds
    while time.perf_counter() < end or len(cpu) < 20:
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(5):
            step()
        cpu.append((time.process_time() - c0) / 5)
        wall.append((time.perf_counter() - w0) / 5)
    print(f"threads {torch.get_num_threads()}")
    print(f"train_images_per_cpu_s {64 / statistics.median(cpu):.0f}")
    print(f"train_images_per_s {64 / statistics.median(wall):.0f}")


if __name__ == "__main__":
    main()
