#!/usr/bin/env bash
# bench/run.sh: cnnc and PyTorch on the same networks, side by side, RUNS times, and their ratios.
#   bench/run.sh                 every network once (THREADS=2, RUNS=1)
#   RUNS=3 bench/run.sh          three alternating pairs per network: the ratio of each pair, then the medians
#   NETS="cifar_vgg" bench/run.sh    only some networks (lenet5 fashion_bn cifar_vgg imagenet_stem)
#   CNNC_BENCH_ARGS="--time 5"   more flags for cnnc bench; TORCH_SECONDS=5 for the PyTorch script
# Each pair runs back to back (cnnc bench, then bench/pytorch_nets.py on the same network), so both
# sides saw about the same load: on a shared machine report the median ratio, not one run. Both
# print the key/value lines of docs/training.md; cnnc bench adds its profile (GFLOP/s of the convolutions against
# the peak it measured with an FMA loop in the same run), PyTorch the sgemm rate it reaches.
# The last table is the one docs/results.md records (the targets of issue 9).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
runs="${RUNS:-1}"
nets="${NETS:-lenet5 fashion_bn cifar_vgg imagenet_stem}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# A class cache of this run's own (unless one is given): each network's first run compiles its
# classes cold, later runs load them (compile_ms is then the cached compile: the summary shows both)
export CNNC_CLASS_CACHE="${CNNC_CLASS_CACHE:-$tmp/classes}"

model_of() {
    case "$1" in
        imagenet_stem) echo "$root/bench/models/imagenet_stem.cnn" ;;
        *) echo "$root/samples/$1.cnn" ;;
    esac
}
# inference throughput batch: 256, but 16 for 224x224 images (256 of them need ~10 GB of maps)
infer_batch_of() {
    case "$1" in
        imagenet_stem) echo 16 ;;
        *) echo 256 ;;
    esac
}

# The kind of host: an AVX-512 host and an AVX2-only one give other figures (docs/DEVELOPING.md)
host_kind() {
    local name family model isa
    name="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    family="$(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    model="$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    if grep -qw avx512f /proc/cpuinfo; then isa="AVX-512"
    elif grep -qw avx2 /proc/cpuinfo; then isa="AVX2 without AVX-512"
    else isa="no AVX2"; fi
    echo "${name:-unknown} (family ${family:-?} model ${model:-?}, $isa)"
}
echo "== host: $(host_kind), $(nproc) processors"

for r in $(seq 1 "$runs"); do
    for net in $nets; do
        model="$(model_of "$net")"
        ib="$(infer_batch_of "$net")"
        echo "== run $r of $runs, $net; machine: $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "== cnnc: bin/cnnc bench ${model#"$root/"} --threads $threads --infer-batch $ib ${CNNC_BENCH_ARGS:-}"
        # shellcheck disable=SC2086
        if ! "$root/bin/cnnc" bench "$model" --threads "$threads" --infer-batch "$ib" ${CNNC_BENCH_ARGS:-} | tee "$tmp/cnnc.$net.$r.txt"; then
            echo "(cnnc bench failed)"
        fi
        echo
        echo "== torch: /usr/bin/python3 bench/pytorch_nets.py $net --threads $threads --infer-batch $ib --seconds ${TORCH_SECONDS:-5}"
        if ! /usr/bin/python3 "$root/bench/pytorch_nets.py" "$net" --threads "$threads" --infer-batch "$ib" \
                --seconds "${TORCH_SECONDS:-5}" | tee "$tmp/torch.$net.$r.txt"; then
            echo "(the PyTorch script failed; cnnc figures only)"
            : >"$tmp/torch.$net.$r.txt"
        fi
        echo
    done
done

echo "== side by side (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
/usr/bin/env python3 - "$tmp" "$runs" "$nets" <<'PY'
import statistics
import sys

tmp, runs, nets = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()


def read(path):
    values = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    try:
                        values[parts[0]] = float(parts[1])
                    except ValueError:
                        pass
    except FileNotFoundError:
        pass
    return values


def med(v):
    return statistics.median(v) if v else None


def fmt(v, digits=1):
    return "-" if v is None else f"{v:,.{digits}f}"


summary = []  # rows of the issue's table
for net in nets:
    pairs = [(read(f"{tmp}/cnnc.{net}.{r}.txt"), read(f"{tmp}/torch.{net}.{r}.txt")) for r in range(1, runs + 1)]
    infer_key = next((k for c, _ in pairs for k in c if k.startswith("infer_batch") and k.endswith("_images_per_s")
                      and k != "infer_batch1_latency_us"), "infer_batch256_images_per_s")
    keys = [  # key, unit, True if higher is better
        ("train_images_per_s", "images/s", True),
        ("infer_batch1_latency_us", "us", False),
        (infer_key, "images/s", True),
        ("compile_ms", "ms", False),
        ("peak_heap_mb", "MB", False),
    ]
    print(f"\n{net}: {'key':30} {'cnnc':>12} {'torch':>12} {'ratio':>8}  ratio is" + ("   (medians of the runs; ratios per run after)" if runs > 1 else ""))
    ratios_of = {}
    for key, unit, higher in keys:
        cs = [c[key] for c, _ in pairs if key in c]
        ts = [t[key] for _, t in pairs if key in t]
        ratios = [(c[key] / t[key] if higher else t[key] / c[key]) for c, t in pairs if key in c and key in t and c[key] and t[key]]
        ratios_of[key] = ratios
        what = "cnnc/torch" if higher else "torch/cnnc"
        each = ("   " + " ".join(f"{x:.2f}" for x in ratios)) if runs > 1 and ratios else ""
        print(f"{' ' * len(net)}  {key:30} {fmt(med(cs)):>12} {fmt(med(ts)):>12} {fmt(med(ratios), 2):>8}  {what} ({unit}){each}")
    for cached, what in ((0, "compiled"), (1, "class cache")):
        cs = [c["compile_ms"] for c, _ in pairs if "compile_ms" in c and c.get("compile_cached", 0) == cached]
        if cs:
            print(f"{' ' * len(net)}  {'compile_ms (' + what + ')':30} {fmt(med(cs), 0):>12}   " + " ".join(fmt(x, 0) for x in cs))
    for key in ("peak_gflops", "conv_forward_gflops", "conv_backward_data_gflops", "conv_gradient_gflops", "conv_gflops",
                "conv_pct_of_peak", "train_step_pct_of_peak"):
        cs = [c[key] for c, _ in pairs if key in c]
        if cs:
            print(f"{' ' * len(net)}  {key:30} {fmt(med(cs)):>12}")
    ts = [t["sgemm_gflops"] for _, t in pairs if "sgemm_gflops" in t]
    if ts:
        print(f"{' ' * len(net)}  {'torch sgemm_gflops':30} {'':>12} {fmt(med(ts)):>12}")
    lat = [1 / x for x in ratios_of.get("infer_batch1_latency_us", [])]
    conv_pct = med([c["conv_pct_of_peak"] for c, _ in pairs if "conv_pct_of_peak" in c])
    step_pct = med([c["train_step_pct_of_peak"] for c, _ in pairs if "train_step_pct_of_peak" in c])
    summary.append((net, med(ratios_of["train_images_per_s"]), med(ratios_of[infer_key]), med(lat), conv_pct, step_pct))

print("\n== the issue's table: medians over the pairs (ratios per pair, then the median)")
print(f"{'network':16} {'training cnnc/torch':>20} {'inference (big batch)':>22} {'batch-1 latency cnnc/torch':>27} {'conv % of peak':>15} {'training step % of peak':>24}")
for net, tr, inf, lat, conv, step in summary:
    print(f"{net:16} {fmt(tr, 2):>20} {fmt(inf, 2):>22} {fmt(lat, 2):>27} {fmt(conv):>15} {fmt(step):>24}")
print("targets: cifar_vgg training >= 1.2, inference (batch 256) >= 1.5, latency <= 0.25, conv >= 70% of peak;"
      " imagenet_stem training step >= 50% of peak; lenet5 and fashion_bn training >= 2.0")
PY
