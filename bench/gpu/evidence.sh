#!/bin/sh
# The GPU evidence of issue 14 in one run, on a GPU machine that has only an `amalgam dist` bundle, the NVIDIA
# driver and PyTorch (no JDK, no Maven, no network): selfcheck of the CUDA backend, Amalgam's GPU benchmarks,
# the same work in PyTorch/cuBLAS on the same device, and one markdown table of the figures. About 5 minutes.
#
#   evidence.sh [BUNDLE] [OUT]     BUNDLE: the bundle directory (default: the one this script lies in, as
#                                  `amalgam dist` places it in BUNDLE/evidence); OUT: results (default ./evidence-<UTC time>)
#
# Exit code 0 when every step ran and selfcheck passed, 1 otherwise; the table says which step failed. Nothing is
# measured here that the table does not print with its command, so its figures can be pasted into docs/gpu.md.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
BUNDLE=$(cd "${1:-$here/..}" && pwd -P)
OUT=${2:-evidence-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)
AMALGAM="$BUNDLE/bin/amalgam"
status=0

step() { # name, then the command; its output goes to OUT/name.log and its exit code to OUT/name.rc
    name=$1; shift
    echo "evidence: $name: $*" >&2
    "$@" >"$OUT/$name.log" 2>&1
    rc=$?
    echo "$rc" >"$OUT/$name.rc"
    [ "$rc" -eq 0 ] || status=1
}

if [ ! -x "$AMALGAM" ]; then
    echo "evidence: $AMALGAM not found: pass the bundle written by amalgam dist" >&2
    exit 1
fi

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "bundle commit: $(cat "$BUNDLE/COMMIT" 2>/dev/null || echo unknown)"
    echo "gpu: $(nvidia-smi -L 2>&1 | head -1)"
    echo "driver: $(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>&1 | head -1)"
    echo "torch: $(python3 -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)' 2>&1 | tail -1)"
} >"$OUT/machine.txt"

# 1. Parity: the CUDA backend and GEMM against the scalar reference; exit 2 means CUDA could not start here.
step selfcheck timeout 300 "$AMALGAM" selfcheck --backend cuda

# 2. Amalgam on the GPU, JMH average time per operation (CudaGemm includes its host↔device copies).
step bench-sgemm timeout 240 "$AMALGAM" bench GemmBench -p impl=cuda -p n=1024,4096 -p threads=1 \
    --warmup 2 --iterations 5 --time-ms 1000 --json "$OUT/bench-sgemm.json"

# 3. The peers on the same device: cuBLAS FP32 (TF32 off), cuBLAS TF32, device-to-device copy; CUDA events.
step peers timeout 180 python3 "$here/torch_peers.py" "$OUT/peers.json"

python3 "$here/evidence_table.py" "$OUT" >"$OUT/evidence.md" || status=1
cat "$OUT/evidence.md"
echo "evidence: results in $OUT" >&2
exit $status
