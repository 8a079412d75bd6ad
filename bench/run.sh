#!/usr/bin/env bash
# bench/run.sh: cnnc and PyTorch on LeNet-5, one after the other, RUNS times, and their ratios.
#   bench/run.sh            (THREADS=2, RUNS=1 by default; CNNC_BENCH_ARGS adds flags to cnnc bench, e.g. "--time 5")
#   RUNS=3 bench/run.sh     three alternating pairs: the ratio of each pair, then the medians
# Both print the key/value lines of docs/training.md; the ratios are cnnc/torch for throughput (higher is better
# for cnnc) and torch/cnnc for latency (likewise). Each ratio comes from one pair run back to back,
# so both sides saw about the same load: on a shared machine report the median ratio, not one run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
runs="${RUNS:-1}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
torch_script="$root/bench/pytorch_lenet5.py"

for r in $(seq 1 "$runs"); do
    echo "== run $r of $runs; machine: $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== cnnc: bin/cnnc bench samples/lenet5.cnn --threads $threads ${CNNC_BENCH_ARGS:-}"
    # shellcheck disable=SC2086
    "$root/bin/cnnc" bench "$root/samples/lenet5.cnn" --threads "$threads" ${CNNC_BENCH_ARGS:-} | tee "$tmp/cnnc.$r.txt"
    echo
    echo "== torch: /usr/bin/python3 bench/pytorch_lenet5.py --threads $threads"
    if ! /usr/bin/python3 "$torch_script" --threads "$threads" | tee "$tmp/torch.$r.txt"; then
        echo "(the PyTorch script failed; cnnc figures only)"
        : >"$tmp/torch.$r.txt"
    fi
    echo
done

echo "== side by side (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
/usr/bin/env python3 - "$tmp" "$runs" <<'PY'
import statistics
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

tmp, runs = sys.argv[1], int(sys.argv[2])
pairs = [(read(f"{tmp}/cnnc.{r}.txt"), read(f"{tmp}/torch.{r}.txt")) for r in range(1, runs + 1)]
print(f"{'key':30} {'cnnc':>12} {'torch':>12} {'ratio':>8}  ratio is" + ("   (medians of the runs; ratios per run after)" if runs > 1 else ""))
for key, unit, higher in KEYS:
    cs = [c[key] for c, _ in pairs if key in c]
    ts = [t[key] for _, t in pairs if key in t]
    ratios = [(c[key] / t[key] if higher else t[key] / c[key]) for c, t in pairs if key in c and key in t and c[key] and t[key]]
    med = lambda v: f"{statistics.median(v):.1f}" if v else "-"
    ratio = f"{statistics.median(ratios):.2f}" if ratios else "-"
    what = "cnnc/torch" if higher else "torch/cnnc"
    each = ("   " + " ".join(f"{x:.2f}" for x in ratios)) if runs > 1 and ratios else ""
    print(f"{key:30} {med(cs):>12} {med(ts):>12} {ratio:>8}  {what} ({unit}){each}")
PY
