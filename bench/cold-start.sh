#!/usr/bin/env bash
# bench/cold-start.sh: time and memory from process start to the first classification, for a network
# embedded in a Java application (generated ahead of time, inference variant, batch 1, only
# cnnc-runtime on the class path) beside a Python process that imports PyTorch and classifies one
# image with the same weights. LeNet-5 and fashion_bn; the JVMs of JDK 17 and of the newest JDK.
#   bench/cold-start.sh          (RUNS=5 by default: medians of RUNS fresh processes each)
# Prints one line per configuration: median wall seconds (process start to exit, /usr/bin/time),
# median in-process ms to the first label, median peak RSS in MB.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
jdk17="${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../bin/lib/jdk.sh
. "$root/bin/lib/jdk.sh"
find_jdk
newest="$JAVA_HOME"
data="$root/samples/data"

echo "== building: cnnc generate --inference --batch 1, javac --release 17 (commit $(git -C "$root" rev-parse --short HEAD))"
for m in lenet5 fashion_bn; do
    "$root/bin/cnnc" generate "$root/samples/$m.cnn" --package bench --batch 1 --inference -o "$tmp/src" 2>/dev/null
done
cp "$root/bench/ColdStart.java" "$tmp/src/bench/"
runtime="$(ls "$root"/runtime/target/cnnc-runtime-*.jar 2>/dev/null | head -1)"
if [ -z "$runtime" ]; then
    (cd "$root" && mvn -B -q -o -pl runtime package -DskipTests)
    runtime="$(ls "$root"/runtime/target/cnnc-runtime-*.jar | head -1)"
fi
"$newest/bin/javac" --release 17 -nowarn -cp "$runtime" -d "$tmp/classes" "$tmp"/src/bench/*.java
cp "$root/samples/embedded-app/src/test/resources/lenet5.safetensors" "$tmp/"
echo "== weights: lenet5 from samples/embedded-app; fashion_bn: cnnc train --epochs 1 on samples/data"
"$root/bin/cnnc" train "$root/samples/fashion_bn.cnn" --data "$data" --epochs 1 --save "$tmp/fashion_bn.safetensors" >/dev/null

measure() { # NAME COMMAND...: RUNS fresh processes; medians of wall s, in-process ms, peak RSS MB
    local name="$1"; shift
    local walls="" inproc="" rss=""
    for _ in $(seq 1 "$runs"); do
        /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out"
        walls="$walls $(cut -d' ' -f1 "$tmp/time")"
        rss="$rss $(cut -d' ' -f2 "$tmp/time")"
        inproc="$inproc $(awk '{print $4}' "$tmp/out")"
        label="$(awk '{print $2}' "$tmp/out")"
    done
    python3 - "$name" "$label" "$walls" "$inproc" "$rss" <<'PY'
import statistics, sys
name, label, walls, inproc, rss = sys.argv[1:]
med = lambda s: statistics.median(float(v) for v in s.split())
print(f"{name:34s} label {label}  wall {med(walls):.2f} s  to-first-label {med(inproc):.0f} ms  peak RSS {med(rss) / 1024:.0f} MB")
PY
}

echo "== $runs fresh processes each; machine: $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for m in lenet5 fashion_bn; do
    measure "$m, Java 17 (generated class)" "$jdk17/bin/java" -cp "$tmp/classes:$runtime" bench.ColdStart "$m" "$tmp/$m.safetensors" "$data"
    measure "$m, Java $("$newest/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}') (generated class)" \
        "$newest/bin/java" -cp "$tmp/classes:$runtime" bench.ColdStart "$m" "$tmp/$m.safetensors" "$data"
    measure "$m, PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')" \
        /usr/bin/python3 "$root/bench/cold_start_torch.py" "$m" "$tmp/$m.safetensors" "$data"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
