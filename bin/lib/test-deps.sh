# Sourced by bin/test and .ci/run: the system packages the tests need (Debian names), and
# ensure_test_packages, which installs the missing ones when run as root and otherwise names them
# and stops, before anything runs. Graphviz for the dot dump tests, PoCL and the ICD loader for
# the OpenCL tests (they never skip), PyTorch 1.13 with OpenBLAS for the reference's own tests.
# A JDK 17 for embedding-it, which builds the getting-started application with Maven on JDK 17.
# ONNX's own per-operator node tests (libonnx-testdata) for the ONNX import (docs/onnx.md).
TEST_PACKAGES="graphviz pocl-opencl-icd ocl-icd-opencl-dev python3-torch libopenblas0-pthread openjdk-17-jdk-headless libonnx-testdata"

ensure_test_packages() {
    local missing="" p
    if ! command -v dpkg >/dev/null 2>&1; then
        # not Debian: check what the tests run instead of package names
        command -v dot >/dev/null 2>&1 || missing="$missing graphviz(dot)"
        ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1 || missing="$missing an-OpenCL-driver(PoCL)"
        "${CNNC_PYTHON:-/usr/bin/python3}" -c 'import torch' >/dev/null 2>&1 || missing="$missing PyTorch-1.13(${CNNC_PYTHON:-/usr/bin/python3})"
        [ -d /usr/share/libonnx-testdata/data/node ] || missing="$missing ONNX-node-tests(/usr/share/libonnx-testdata)"
        if [ -n "$missing" ]; then
            echo "test: the tests need:$missing; install them and run again" >&2
            exit 1
        fi
        return 0
    fi
    for p in $TEST_PACKAGES; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "test: installing$missing" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq $missing >/dev/null
    else
        echo "test: the tests need packages that are not installed:$missing" >&2
        echo "test: install them as root (apt-get install$missing) and run again" >&2
        exit 1
    fi
}
