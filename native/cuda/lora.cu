// Fused LoRA forward, y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ, with x m×in, W0 out×in, A r×in, B out×r, all row-major.
// The host first computes the small T = s·x·Aᵀ (m×r) with sgemm_nt (alpha = s); this kernel then walks
// the concatenated reduction [x | T]·[W0 | B]ᵀ into one accumulator, so y is written once and never
// re-read, and the base and low-rank products share the epilogue. Launch: block 256, grid (⌈out/128⌉, ⌈m/128⌉).
#include "sgemm_tiles.cuh"

extern "C" __global__ void __launch_bounds__(256)
lora_forward_up(int m, int out, int in, int r,
                const float* x, long long ldx, const float* W0, long long ldw,
                const float* T, long long ldt, const float* B, long long ldb,
                float* y, long long ldy) {
    __shared__ sgemm::Shared s;
    const int row0 = blockIdx.y * sgemm::BM, col0 = blockIdx.x * sgemm::BN;
    float acc[8][8] = {};
    sgemm::accumulate<false, true>(x, ldx, W0, ldw, m, out, in, row0, col0, acc, s);
    sgemm::accumulate<false, true>(T, ldt, B, ldb, m, out, r, row0, col0, acc, s);
    sgemm::store(acc, 1.0f, 0.0f, y, ldy, m, out, row0, col0);
}
