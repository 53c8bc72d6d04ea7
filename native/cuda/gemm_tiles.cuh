// Shared pieces of the GEMM kernels: how a thread block stages a tile of op(A) or op(B) from global memory.
//
// Both operands are seen as "rows × k" tiles: op(A) is m×k, and op(B) is read as its transpose n×k, so one
// loader serves A and B. Whether k is the contiguous direction in memory depends on the transpose flag.
// Each thread moves groups of 4 elements that are neighbours in memory, and neighbouring threads move
// neighbouring groups, so a warp reads 512 contiguous bytes; when the operand is 16-byte aligned with a
// leading dimension divisible by 4, each group is a single float4 load.
#pragma once

// Loads the tile T(r, c) = X(row0 + r, k0 + c) for r < ROWS, c < COLS into per-thread registers, with zeros
// outside [0, rows) × [0, k). X(r, c) is base[r·ld + c] when K_CONTIGUOUS, else base[c·ld + r].
template <int ROWS, int COLS, int THREADS, bool K_CONTIGUOUS>
struct TileLoader {
    static constexpr int PER_THREAD = ROWS * COLS / THREADS;
    static_assert(PER_THREAD % 4 == 0 && COLS % 4 == 0 && ROWS % 4 == 0, "tiles move in groups of 4");

    float v[PER_THREAD];

    // Element e of this thread: group (e/4)·THREADS + thread, position e%4 within the group, groups laid
    // out along the contiguous direction first.
    __device__ __forceinline__ static void coords(int e, int& r, int& c) {
        int linear = ((e / 4) * THREADS + threadIdx.x) * 4 + e % 4;
        if (K_CONTIGUOUS) { r = linear / COLS; c = linear % COLS; }
        else              { c = linear / ROWS; r = linear % ROWS; }
    }

    // Whether every group of this operand can be one aligned float4 load.
    __device__ __forceinline__ static bool vectorizable(const float* base, long long ld) {
        return (reinterpret_cast<unsigned long long>(base) & 15) == 0 && (ld & 3) == 0;
    }

    __device__ __forceinline__ void load(const float* __restrict__ base, long long ld, int row0, int rows,
                                         int k0, int k, bool vectorized) {
        #pragma unroll
        for (int e = 0; e < PER_THREAD; e += 4) {
            int r, c;
            coords(e, r, c);
            const int gr = row0 + r, gc = k0 + c;
            // The group runs along c when K_CONTIGUOUS, else along r.
            const bool whole = K_CONTIGUOUS ? (gr < rows && gc + 3 < k) : (gc < k && gr + 3 < rows);
            const long long at = K_CONTIGUOUS ? (long long) gr * ld + gc : (long long) gc * ld + gr;
            if (vectorized && whole) {
                const float4 q = *reinterpret_cast<const float4*>(base + at);
                v[e] = q.x; v[e + 1] = q.y; v[e + 2] = q.z; v[e + 3] = q.w;
            } else {
                #pragma unroll
                for (int i = 0; i < 4; i++) {
                    const bool inside = K_CONTIGUOUS ? (gr < rows && gc + i < k) : (gc < k && gr + i < rows);
                    v[e + i] = inside ? base[at + i] : 0.0f;
                }
            }
        }
    }
};
