#!/usr/bin/env bash
# bench/run.sh: cnnc and PyTorch on LeNet-5, one after the other in one run, and their ratios.
#   bench/run.sh            (THREADS=2 by default; CNNC_BENCH_ARGS adds flags to cnnc bench, e.g. "--time 5")
# Both print SPEC §5's key/value lines; the ratios are cnnc/torch for throughput (higher is better
# for cnnc) and torch/cnnc for latency, compile time and heap (likewise, higher is better for cnnc).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== machine: $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== cnnc: bin/cnnc bench samples/lenet5.cnn --threads $threads ${CNNC_BENCH_ARGS:-}"
# shellcheck disable=SC2086
"$root/bin/cnnc" bench "$root/samples/lenet5.cnn" --threads "$threads" ${CNNC_BENCH_ARGS:-} | tee "$tmp/cnnc.txt"

echo
torch_script="$root/bench/pytorch_lenet5.py"
echo "== torch: /usr/bin/python3 bench/pytorch_lenet5.py --threads $threads"
if [ ! -f "$torch_script" ]; then
    echo "(bench/pytorch_lenet5.py is not in this checkout: merge main to get it; cnnc figures only)"
    : >"$tmp/torch.txt"
elif ! /usr/bin/python3 "$torch_script" --threads "$threads" | tee "$tmp/torch.txt"; then
    echo "(the PyTorch script failed; cnnc figures only)"
    : >"$tmp/torch.txt"
fi

echo
echo "== side by side (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
/usr/bin/env python3 - "$tmp/cnnc.txt" "$tmp/torch.txt" <<'PY'
import sys

KEYS = [  # key, unit, True if higher is better
    ("train_images_per_s", "images/s", True),
    ("infer_batch1_latency_us", "us", False),
    ("infer_batch256_images_per_s", "images/s", True),
    ("compile_ms", "ms", False),
    ("peak_heap_mb", "MB", False),
]

def read(path):
    values = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                try:
                    values[parts[0]] = float(parts[1])
                except ValueError:
                    pass
    return values

cnnc, torch = read(sys.argv[1]), read(sys.argv[2])
print(f"{'key':30} {'cnnc':>12} {'torch':>12} {'ratio':>8}  ratio is")
for key, unit, higher in KEYS:
    c, t = cnnc.get(key), torch.get(key)
    fmt = lambda v: "-" if v is None else f"{v:.1f}"
    if c and t:
        ratio = f"{c / t:.2f}" if higher else f"{t / c:.2f}"
    else:
        ratio = "-"
    what = "cnnc/torch" if higher else "torch/cnnc"
    print(f"{key:30} {fmt(c):>12} {fmt(t):>12} {ratio:>8}  {what} ({unit})")
PY
