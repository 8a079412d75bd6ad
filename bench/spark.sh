#!/usr/bin/env bash
# The costs of training on Spark against one JVM (docs/spark.md): LeNet-5 and fashion_bn at global
# batch 64 and 256 on the samples/data subset, single JVM (2 threads) against Spark local[2] with 2
# partitions, and local[1] with 1 partition (the P=1 point of the step-time model).
# Usage: bench/spark.sh [MODEL...]   (default: lenet5 fashion_bn; DATA=DIR for other data)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/bin/cnnc-spark" --version >/dev/null   # builds the spark module if needed
. "$root/bin/lib/jdk.sh"
find_jdk
opts=$(sed -n 's:.*<spark.module.options>\(.*\)</spark.module.options>.*:\1:p' "$root/spark/pom.xml")
data="${DATA:-$root/samples/data}"
models="${*:-lenet5 fashion_bn}"
runs=()
for m in $models; do
    for b in 64 256; do
        runs+=("$root/samples/$m.cnn" "$b" single 2 "$root/samples/$m.cnn" "$b" "local[2]" 2 "$root/samples/$m.cnn" "$b" "local[1]" 1)
    done
done
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" -Xmx"${BENCH_HEAP:-2g}" $opts -cp "$root/spark/target/cnnc-spark.jar:$(cat "$root/spark/target/classpath.txt")" \
    cnnc.spark.SparkBench "$data" "${runs[@]}"
