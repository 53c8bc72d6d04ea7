"""The PyTorch/cuBLAS side of bench/gpu/evidence.sh: the same work as Amalgam's GPU benchmarks, on the same
device, timed with CUDA events after a warm-up (median of the runs). Writes one JSON object to argv[1]."""
import json
import sys

import torch


def median_ms(work, warmup=10, runs=50):
    for _ in range(warmup):
        work()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        work()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def gemm(n, tf32):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    a, b = torch.randn(n, n, device="cuda"), torch.randn(n, n, device="cuda")
    ms = median_ms(lambda: a @ b)
    return {"n": n, "tf32": tf32, "ms": ms, "tflops": 2 * n**3 / ms / 1e9}


def copy_bandwidth(mib=1024):
    src = torch.empty(mib << 18, device="cuda")  # floats: mib MiB
    dst = torch.empty_like(src)
    ms = median_ms(lambda: dst.copy_(src), warmup=3, runs=20)
    # A copy reads and writes every byte.
    return {"mib": mib, "ms": ms, "gbs": 2 * src.numel() * 4 / ms / 1e6}


def main():
    results = {
        "device": torch.cuda.get_device_name(0),
        "gemm": [gemm(n, tf32) for n in (1024, 4096) for tf32 in (False, True)],
        "copy": copy_bandwidth(),
    }
    with open(sys.argv[1], "w") as out:
        json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
