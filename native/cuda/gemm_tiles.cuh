// Shared pieces of the GEMM kernels: how a thread block stages a tile of op(A) or op(B) from global memory.
//
// Both operands are seen as "rows × k" tiles: op(A) is m×k, and op(B) is read as its transpose n×k, so one
// loader serves A and B. Whether k is the contiguous direction in memory depends on the transpose flag;
// consecutive threads always walk the contiguous direction so that a warp's loads coalesce.
#pragma once

// Loads the tile T(r, c) = X(row0 + r, k0 + c) for r < ROWS, c < COLS into per-thread registers, with zeros
// outside [0, rows) × [0, k). X(r, c) is base[r·ld + c] when K_CONTIGUOUS, else base[c·ld + r].
template <int ROWS, int COLS, int THREADS, bool K_CONTIGUOUS>
struct TileLoader {
    static constexpr int PER_THREAD = ROWS * COLS / THREADS;
    static_assert(ROWS * COLS % THREADS == 0, "tile must divide evenly among threads");

    float v[PER_THREAD];

    __device__ __forceinline__ static void coords(int e, int& r, int& c) {
        int linear = e * THREADS + threadIdx.x;
        if (K_CONTIGUOUS) { r = linear / COLS; c = linear % COLS; }
        else              { c = linear / ROWS; r = linear % ROWS; }
    }

    __device__ __forceinline__ void load(const float* __restrict__ base, long long ld, int row0, int rows,
                                         int k0, int k) {
        #pragma unroll
        for (int e = 0; e < PER_THREAD; e++) {
            int r, c;
            coords(e, r, c);
            int gr = row0 + r, gc = k0 + c;
            bool inside = gr < rows && gc < k;
            long long at = K_CONTIGUOUS ? (long long) gr * ld + gc : (long long) gc * ld + gr;
            v[e] = inside ? base[at] : 0.0f;
        }
    }
};
