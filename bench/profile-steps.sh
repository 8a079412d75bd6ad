#!/usr/bin/env bash
# bench/profile-steps.sh [MODEL.cnn] [THREADS] [STEPS]: microseconds per unit of a training step
# (each pool.run of forward() and backward(), named by its operations), after a warm-up of as many
# steps. The tool is cnnc.backend.java.StepProfile (compiler test sources).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/lib/jdk.sh
. "$root/bin/lib/jdk.sh"
find_jdk
model="${1:-$root/samples/lenet5.cnn}"; threads="${2:-2}"; steps="${3:-2000}"
# the fat jar (what bin/cnnc runs, with every dependency) and the test classes: nothing resolved from ~/.m2
(cd "$root" && mvn -B -q -o -pl compiler -am -DskipTests package >/dev/null 2>&1)
cp="$root/compiler/target/test-classes:$root/compiler/target/cnnc.jar"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$cp" cnnc.backend.java.StepProfile "$model" "$threads" "$steps"
