#!/bin/sh
# Registers and spills per GEMM kernel on sm_90, from the PTX the build ships (ptxas -v); no GPU needed.
# Usage: native/cuda/register-report.sh [build-dir]. The figures in README.md come from this script.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${TMPDIR:-/tmp}/amalgam-register-report}
mkdir -p "$out"
for module in sgemm gemm_tf32; do
    nvcc -ptx -arch=compute_80 -std=c++17 "$here/$module.cu" -o "$out/$module.ptx"
    ptxas -arch=sm_90 -v "$out/$module.ptx" -o "$out/$module.cubin" 2>&1 \
        | grep -E "Compiling entry|spill|registers" | paste - - - \
        | sed -E "s/.*function '([a-z0-9_]+)'.* ([0-9]+) bytes spill stores, ([0-9]+) bytes spill loads.*Used ([0-9]+) registers.*/\1: \4 registers, spill stores \2 B, loads \3 B/"
done
