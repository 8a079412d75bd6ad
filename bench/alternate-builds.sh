#!/usr/bin/env bash
# bench/alternate-builds.sh OLD.jar NEW.jar MODEL.cnn [SECONDS] [profiled]: two builds' training classes
# of MODEL in one JVM, steps alternating (bench/AlternateSteps.java), in both orders (the class loaded
# second runs a few percent slower whatever it is). The ratio new/old is the geometric mean of the two
# orders' ratios, which cancels that. OLD.jar and NEW.jar: compiler/target/cnnc.jar of two checkouts
# (git worktree add /tmp/old REV; build it there). "profiled": every step's time too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/lib/jdk.sh
. "$root/bin/lib/jdk.sh"
find_jdk
old="$1"; new="$2"; model="$3"; seconds="${4:-60}"; prof="false"
[ "${5:-}" = profiled ] && prof="true"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
java=("$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -Dprofiled="$prof")
for side in old new; do
    jar="$old"; [ "$side" = new ] && jar="$new"
    for pkg in gena genb; do
        "${java[@]}" -cp "$jar" "$root/bench/GenerateClass.java" "$model" "$pkg" "$tmp/$side.$pkg" 2>/dev/null
    done
done
run() { "${java[@]}" -cp "$new" "$root/bench/AlternateSteps.java" "$1" "$2" "$seconds" 2>&1 | grep -v '^WARNING'; }
echo "== old first"
run "$tmp/old.gena" "$tmp/new.genb" | tee "$tmp/a.txt"
echo "== new first"
run "$tmp/new.gena" "$tmp/old.genb" | tee "$tmp/b.txt"
/usr/bin/env python3 - "$tmp/a.txt" "$tmp/b.txt" <<'PY'
import math, re, sys
a = float(re.search(r"second/first ([0-9.]+)", open(sys.argv[1]).read()).group(1))
b = float(re.search(r"second/first ([0-9.]+)", open(sys.argv[2]).read()).group(1))
print(f"new/old: {math.sqrt(a / b):.3f} (old first: {a:.3f}, new first: old/new {b:.3f}; the geometric mean cancels the load order)")
PY
