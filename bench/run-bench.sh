#!/usr/bin/env bash
# Runs cnnc's LeNet-5 harness (cnnc.backend.java.Bench, test sources) and PyTorch's script one after
# the other, REPS times, so both see the same load. Build first:
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -q -o -pl compiler -am test-compile
# Usage: bench/run-bench.sh [REPS] [SECONDS] [extra JVM options...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-3}"; secs="${2:-3}"; shift $(( $# > 2 ? 2 : $# )) || true
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
deps="$(find ~/.m2/repository/org/antlr/antlr4-runtime/4.13.2 ~/.m2/repository/info/picocli/picocli/4.7.7 \
    ~/.m2/repository/com/palantir/javapoet/javapoet/0.22.0 ~/.m2/repository/org/codehaus/janino/janino/3.1.12 \
    ~/.m2/repository/org/codehaus/janino/commons-compiler/3.1.12 ~/.m2/repository/org/jocl/jocl/2.0.5 -name '*.jar' | tr '\n' ':')"
cp="$root/compiler/target/test-classes:$root/compiler/target/classes:$root/runtime/target/classes:$root/grammar/target/classes:$deps"
cd "$root"
for r in $(seq 1 "$reps"); do
    echo "== rep $r cnnc"
    "$java" -Xmx256m --add-modules jdk.incubator.vector "$@" -cp "$cp" cnnc.backend.java.Bench samples/lenet5.cnn "$secs"
    echo "== rep $r pytorch"
    /usr/bin/python3 bench/pytorch_lenet5.py --threads 2 --seconds "$secs"
    echo "== rep $r pytorch cpu"
    /usr/bin/python3 bench/pytorch_cpu.py --threads 1 --seconds "$secs"
done
