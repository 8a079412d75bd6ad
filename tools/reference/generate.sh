#!/bin/sh
# Regenerates the PyTorch reference fixtures (tools/reference/fixtures/<network>/) for the given
# .cnn files, by default every sample and every reference test model. Deterministic: the same
# bytes on every run. Extra options (--batch T, --seed S, --out DIR) go to reference.py.
# By default fashion_bn is written at batch 2: at 4 its many relus and pools leave no seed without
# a near tie (see README.md); its bn is per channel, so two samples are still well conditioned.
set -eu
cd "$(dirname "$0")/../.."
if [ "$#" -eq 0 ]; then
    /usr/bin/python3 tools/reference/reference.py $(ls samples/*.cnn tools/reference/tests/*.cnn | grep -v fashion_bn)
    exec /usr/bin/python3 tools/reference/reference.py --batch 2 samples/fashion_bn.cnn
fi
exec /usr/bin/python3 tools/reference/reference.py "$@"
