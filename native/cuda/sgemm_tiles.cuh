// The FP32 SGEMM main loop, shared by the plain GEMM kernels and the fused LoRA forward.
//
// A 256-thread block computes a 128×128 tile of C; each thread owns an 8×8 sub-tile held in registers
// (register blocking: 16 FMAs per 4 shared-memory loads). The k dimension is walked 8 at a time through two
// shared-memory buffers: while the block computes on one, every thread already holds the next tile's values
// in registers and writes them to the other buffer afterwards, so global latency hides behind the FMAs and
// one barrier per step suffices.
#pragma once
#include "gemm_tiles.cuh"

namespace sgemm {

constexpr int BM = 128, BN = 128, BK = 8, THREADS = 256;

struct Shared {
    // k-major: for one k, the 128 values of a column of op(A) (or a row of op(B)) are contiguous, so a
    // thread's four neighbouring rows come in one 16-byte load.
    __align__(16) float a[2][BK][BM];
    __align__(16) float b[2][BK][BN];
};

template <int ROWS, bool K_CONTIGUOUS>
__device__ __forceinline__ void stage(const TileLoader<ROWS, BK, THREADS, K_CONTIGUOUS>& tile,
                                      float (*dst)[ROWS]) {
    #pragma unroll
    for (int e = 0; e < tile.PER_THREAD; e++) {
        int r, c;
        tile.coords(e, r, c);
        dst[c][r] = tile.v[e];
    }
}

// acc += op(A)[row0 : row0+128, 0:k] · op(B)[0:k, col0 : col0+128] for this thread's 8×8 outputs.
// Thread (ty, tx) owns rows {ty·4 + 0..3, 64 + ty·4 + 0..3} and the same pattern of columns with tx: the
// split halves keep a warp's shared-memory reads conflict-free.
template <bool TRANS_A, bool TRANS_B>
__device__ __forceinline__ void accumulate(const float* __restrict__ A, long long lda,
                                           const float* __restrict__ B, long long ldb,
                                           int m, int n, int k, int row0, int col0,
                                           float acc[8][8], Shared& s) {
    TileLoader<BM, BK, THREADS, !TRANS_A> ta;
    TileLoader<BN, BK, THREADS, TRANS_B> tb;
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;

    const bool vecA = ta.vectorizable(A, lda), vecB = tb.vectorizable(B, ldb);
    ta.load(A, lda, row0, m, 0, k, vecA);
    tb.load(B, ldb, col0, n, 0, k, vecB);
    stage(ta, s.a[0]);
    stage(tb, s.b[0]);
    __syncthreads();

    for (int k0 = 0, buf = 0; k0 < k; k0 += BK, buf ^= 1) {
        const bool more = k0 + BK < k;
        if (more) {
            ta.load(A, lda, row0, m, k0 + BK, k, vecA);
            tb.load(B, ldb, col0, n, k0 + BK, k, vecB);
        }
        #pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float a[8], b[8];
            *reinterpret_cast<float4*>(&a[0]) = *reinterpret_cast<const float4*>(&s.a[buf][kk][ty * 4]);
            *reinterpret_cast<float4*>(&a[4]) = *reinterpret_cast<const float4*>(&s.a[buf][kk][64 + ty * 4]);
            *reinterpret_cast<float4*>(&b[0]) = *reinterpret_cast<const float4*>(&s.b[buf][kk][tx * 4]);
            *reinterpret_cast<float4*>(&b[4]) = *reinterpret_cast<const float4*>(&s.b[buf][kk][64 + tx * 4]);
            #pragma unroll
            for (int i = 0; i < 8; i++) {
                #pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
        }
        if (more) {
            stage(ta, s.a[buf ^ 1]);
            stage(tb, s.b[buf ^ 1]);
        }
        __syncthreads();
    }
}

__device__ __forceinline__ int owned_row(int i) {
    int ty = threadIdx.x / 16;
    return i < 4 ? ty * 4 + i : 64 + ty * 4 + (i - 4);
}

__device__ __forceinline__ int owned_col(int j) {
    int tx = threadIdx.x % 16;
    return j < 4 ? tx * 4 + j : 64 + tx * 4 + (j - 4);
}

// C = alpha·acc + beta·C on the owned outputs; beta == 0 never reads C (BLAS semantics: NaN in C is ignored).
__device__ __forceinline__ void store(const float acc[8][8], float alpha, float beta, float* __restrict__ C,
                                      long long ldc, int m, int n, int row0, int col0) {
    #pragma unroll
    for (int i = 0; i < 8; i++) {
        int row = row0 + owned_row(i);
        if (row >= m) continue;
        #pragma unroll
        for (int j = 0; j < 8; j++) {
            int col = col0 + owned_col(j);
            if (col >= n) continue;
            float* at = C + (long long) row * ldc + col;
            float value = alpha * acc[i][j];
            if (beta != 0.0f) value = fmaf(beta, *at, value);
            *at = value;
        }
    }
}

} // namespace sgemm
