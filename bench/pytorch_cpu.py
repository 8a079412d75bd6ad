#!/usr/bin/python3
"""PyTorch's LeNet-5 training step measured in CPU time, for a loaded machine where wall-clock
figures depend on what else runs: prints train_images_per_cpu_s at --threads 1 (process CPU time,
so other processes' load does not count) beside the wall-clock train_images_per_s.

Usage: /usr/bin/python3 bench/pytorch_cpu.py [--threads 1] [--seconds 5]
"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_lenet5 import setup  # noqa: E402


def main():
    args, _, step = setup(1)
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
