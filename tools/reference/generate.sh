#!/bin/sh
# Regenerates the PyTorch reference fixtures (tools/reference/fixtures/<network>/) for the given
# .cnn files, by default every sample and every reference test model. Deterministic: the same
# bytes on every run. Extra options (--batch T, --seed S, --out DIR) go to reference.py.
set -eu
cd "$(dirname "$0")/../.."
if [ "$#" -eq 0 ]; then
    set -- samples/*.cnn tools/reference/tests/*.cnn
fi
exec /usr/bin/python3 tools/reference/reference.py "$@"
