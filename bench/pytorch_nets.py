#!/usr/bin/python3
"""PyTorch's side of the benchmark for every network bench/run.sh measures (the peer cnnc is
measured against): the same network as the .cnn file, the same batch sizes, the same thread count.

Prints the same machine-readable `key value` lines as `cnnc bench`: train_images_per_s (the .cnn's
training batch and optimizer), infer_batch1_latency_us (median), infer_batchN_images_per_s (N = 256
unless --infer-batch), and sgemm_gflops: torch.mm on two 2048x2048 float32 matrices at the same
thread count (OpenBLAS here), the machine's single-precision peak as a library reaches it.

Usage: /usr/bin/python3 bench/pytorch_nets.py NETWORK [--threads 2] [--seconds 5] [--infer-batch 256] [--device cuda]
NETWORK: lenet5 | fashion_bn | cifar_vgg | imagenet_stem | updown (samples/*.cnn, bench/models/*.cnn).
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout, k=3, stride=1):
    """conv (bias: false, padding same) -> bn per channel -> relu, as the .cnn files write it."""
    return [nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def fashion_bn():
    return nn.Sequential(*block(1, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2), *block(64, 128),
                         nn.MaxPool2d(2, ceil_mode=True), nn.Flatten(), nn.Linear(2048, 256), nn.ReLU(), nn.Linear(256, 10))


def cifar_vgg():
    return nn.Sequential(*block(3, 64), *block(64, 64), nn.MaxPool2d(2), *block(64, 128), *block(128, 128), nn.MaxPool2d(2),
                         *block(128, 256), *block(256, 256), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4096, 10))


def imagenet_stem():
    # c1 7x7 stride 2 'same': cnnc's anchor (3,3) pads 3 before and 2 after, PyTorch pads 3 both sides and
    # drops the last row: the same 112x112 output and the same work
    return nn.Sequential(*block(3, 32, 7, 2), nn.MaxPool2d(2), *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
                         *block(64, 128), *block(128, 128), nn.MaxPool2d(2), *block(128, 32, 1), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


class UpDown(nn.Module):
    """samples/updown.cnn: strided convs down, ConvTranspose2d up with skip adds. e2 (4x4 stride 2 'same'):
    cnnc pads 1 before and 2 after, PyTorch 1 both sides: the same 14x14 output and the same work."""

    def __init__(self):
        super().__init__()
        self.e1, self.e2, self.e3 = nn.Conv2d(1, 8, 3, padding=1), nn.Conv2d(8, 16, 4, 2, 1), nn.Conv2d(16, 16, 3, 2, 1)
        self.u2 = nn.ConvTranspose2d(16, 16, 4, 2, 1)
        self.u1 = nn.ConvTranspose2d(16, 8, 3, 2, 1, output_padding=1)
        self.d0 = nn.ConvTranspose2d(8, 4, 3, 1, 1, bias=False)
        self.f = nn.Linear(4 * 7 * 7, 10)

    def forward(self, x):
        r1 = F.relu(self.e1(x))
        r2 = F.relu(self.e2(r1))
        r3 = F.relu(self.e3(r2))
        s2 = self.u2(r3) + r2
        s1 = self.u1(s2) + r1
        p = F.max_pool2d(F.relu(self.d0(s1)), 4)
        return self.f(p.flatten(1))


# network: (constructor, input C x H x W, training batch, optimizer as in the .cnn's train block)
NETS = {
    "lenet5": (lenet5, (1, 28, 28), 64, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "fashion_bn": (fashion_bn, (1, 28, 28), 64, lambda p: torch.optim.Adam(p, lr=0.001)),
    "cifar_vgg": (cifar_vgg, (3, 32, 32), 64,
                  lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)),
    "imagenet_stem": (imagenet_stem, (3, 224, 224), 32, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "updown": (UpDown, (1, 28, 28), 32, lambda p: torch.optim.Adam(p, lr=0.002)),
}


def timed(fn, seconds, min_runs):
    """Runs fn repeatedly for about `seconds`; returns the list of per-call durations."""
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < min_runs:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def sgemm_gflops(seconds):
    a = torch.rand(2048, 2048)
    b = torch.rand(2048, 2048)
    c = torch.empty(2048, 2048)
    for _ in range(3):
        torch.mm(a, b, out=c)
    t = timed(lambda: torch.mm(a, b, out=c), seconds, 5)
    return 2 * 2048 ** 3 / statistics.median(t) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("network", choices=sorted(NETS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--infer-batch", type=int, default=256)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda to time the same networks on a GPU")
    args = ap.parse_args()
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    make, chw, batch, optimizer = NETS[args.network]
    net = make().to(dev)
    opt = optimizer(net.parameters())
    xt = torch.rand(batch, *chw, device=dev)
    yt = torch.randint(0, 10, (batch,), device=dev)

    def train_step():
        opt.zero_grad(set_to_none=False)
        F.cross_entropy(net(xt), yt).backward()
        opt.step()
        sync()

    for _ in range(5):
        train_step()
    train = timed(train_step, args.seconds, 5)

    net.eval()
    x1 = torch.rand(1, *chw, device=dev)
    xn = torch.rand(args.infer_batch, *chw, device=dev)
    with torch.inference_mode():
        def infer1():
            F.softmax(net(x1), dim=1)
            sync()

        def infer_n():
            F.softmax(net(xn), dim=1)
            sync()
        for _ in range(20):
            infer1()
        lat = timed(infer1, args.seconds, 50)
        for _ in range(3):
            infer_n()
        thr = timed(infer_n, args.seconds, 3)

    print(f"torch_version {torch.__version__}")
    print(f"threads {torch.get_num_threads()}")
    if dev.type == "cuda":
        print(f"device {torch.cuda.get_device_name(dev)}")
    print(f"train_images_per_s {batch / statistics.median(train):.1f}")
    print(f"infer_batch1_latency_us {statistics.median(lat) * 1e6:.1f}")
    print(f"infer_batch{args.infer_batch}_images_per_s {args.infer_batch / statistics.median(thr):.1f}")
    print(f"sgemm_gflops {sgemm_gflops(min(args.seconds, 2.0)):.1f}")


if __name__ == "__main__":
    main()
