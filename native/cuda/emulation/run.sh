#!/bin/sh
# Compiles every native/cuda/*.cu for the CPU through cuda_host_shim.h and runs kernels_on_host.cpp's checks.
# Needs g++ with C++20 (std::barrier). Usage: native/cuda/emulation/run.sh [build-dir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${TMPDIR:-/tmp}/amalgam-cuda-emulation}
mkdir -p "$out"
flags="-std=c++20 -O1 -pthread -fno-strict-aliasing -w -I$here/.."
objects=""
for source in "$here"/../*.cu; do
    object="$out/$(basename "$source" .cu).o"
    g++ $flags -include "$here/emulated_mma.h" -x c++ -c "$source" -o "$object" &
    objects="$objects $object"
done
g++ $flags -c "$here/kernels_on_host.cpp" -o "$out/kernels_on_host.o" &
wait
g++ -pthread $objects "$out/kernels_on_host.o" -o "$out/kernels_on_host"
exec "$out/kernels_on_host"
