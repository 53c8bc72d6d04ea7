// TF32 tensor-core GEMM: C = alpha·op(A)·op(B) + beta·C, inputs rounded to TF32 (10-bit mantissa, round to
// nearest, ties away), products accumulated in FP32. Needs sm_80 or newer. Same arguments and launch grid
// as sgemm_*: block 256, grid (⌈n/128⌉, ⌈m/128⌉, batch).
//
// A block computes a 128×128 tile with 8 warps arranged 2 (m) × 4 (n); each warp owns 64×32 outputs as
// 4×4 mma.m16n8k8 tiles. Operands are staged in shared memory already converted to TF32, k-contiguous per
// row with 4 words of padding, which makes every fragment read below hit 32 distinct banks.
#include "gemm_tiles.cuh"

namespace tf32 {

constexpr int BM = 128, BN = 128, BK = 16, PAD = 4, THREADS = 256;

struct Shared {
    unsigned a[2][BM][BK + PAD];
    unsigned b[2][BN][BK + PAD];
};

// The two tensor-core instructions. The host emulation (native/cuda/emulation) defines its own versions of
// these, so everything else in this file can be checked on a machine without a GPU.
#ifndef AMALGAM_HOST_EMULATION
__device__ __forceinline__ unsigned to_tf32(float x) {
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
}

// d += a·b for one 16×8×8 tile. Fragment ownership (PTX ISA, m16n8k8 .tf32), g = lane/4, t = lane%4:
// a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4); b0 (k=t, n=g), b1 (k=t+4, n=g);
// d0 (g, 2t), d1 (g, 2t+1), d2 (g+8, 2t), d3 (g+8, 2t+1).
__device__ __forceinline__ void mma(float d[4], const unsigned a[4], const unsigned b[2]) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#endif

template <int ROWS, bool K_CONTIGUOUS>
__device__ __forceinline__ void stage(const TileLoader<ROWS, BK, THREADS, K_CONTIGUOUS>& tile,
                                      unsigned (*dst)[BK + PAD]) {
    #pragma unroll
    for (int e = 0; e < tile.PER_THREAD; e++) {
        int r, c;
        tile.coords(e, r, c);
        dst[r][c] = to_tf32(tile.v[e]);
    }
}

template <bool TRANS_A, bool TRANS_B>
__device__ __forceinline__ void body(int m, int n, int k, float alpha,
                                     const float* A, long long lda, long long strideA,
                                     const float* B, long long ldb, long long strideB,
                                     float beta, float* C, long long ldc, long long strideC) {
    __shared__ Shared s;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const long long batch = blockIdx.z;
    A += batch * strideA;
    B += batch * strideB;
    C += batch * strideC;

    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int g = lane / 4, t = lane % 4;
    const int warpRow = (warp / 4) * 64, warpCol = (warp % 4) * 32;

    float acc[4][4][4] = {};
    TileLoader<BM, BK, THREADS, !TRANS_A> ta;
    TileLoader<BN, BK, THREADS, TRANS_B> tb;
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
        for (int ks = 0; ks < BK; ks += 8) {
            unsigned a[4][4], b[4][2];
            #pragma unroll
            for (int mi = 0; mi < 4; mi++) {
                const int r = warpRow + mi * 16 + g;
                a[mi][0] = s.a[buf][r][ks + t];
                a[mi][1] = s.a[buf][r + 8][ks + t];
                a[mi][2] = s.a[buf][r][ks + t + 4];
                a[mi][3] = s.a[buf][r + 8][ks + t + 4];
            }
            #pragma unroll
            for (int ni = 0; ni < 4; ni++) {
                const int c = warpCol + ni * 8 + g;
                b[ni][0] = s.b[buf][c][ks + t];
                b[ni][1] = s.b[buf][c][ks + t + 4];
            }
            #pragma unroll
            for (int mi = 0; mi < 4; mi++) {
                #pragma unroll
                for (int ni = 0; ni < 4; ni++) mma(acc[mi][ni], a[mi], b[ni]);
            }
        }
        if (more) {
            stage(ta, s.a[buf ^ 1]);
            stage(tb, s.b[buf ^ 1]);
        }
        __syncthreads();
    }

    #pragma unroll
    for (int mi = 0; mi < 4; mi++) {
        #pragma unroll
        for (int ni = 0; ni < 4; ni++) {
            #pragma unroll
            for (int q = 0; q < 4; q++) {
                const int row = row0 + warpRow + mi * 16 + g + (q >= 2 ? 8 : 0);
                const int col = col0 + warpCol + ni * 8 + 2 * t + (q & 1);
                if (row >= m || col >= n) continue;
                float* at = C + (long long) row * ldc + col;
                float value = alpha * acc[mi][ni][q];
                if (beta != 0.0f) value = fmaf(beta, *at, value);
                *at = value;
            }
        }
    }
}

} // namespace tf32

// As in sgemm.cu: (256, 2), at most 128 registers, where ptxas fits the kernel without spilling (nt and tn use
// 124-128 unbounded); nn and tt (166 unbounded) would spill 36 and 24 bytes, so they keep (256).
#define TF32_ENTRY(NAME, TA, TB, BOUNDS)                                                                \
    extern "C" __global__ void __launch_bounds__ BOUNDS                                                 \
    NAME(int m, int n, int k, float alpha, const float* A, long long lda, long long strideA,             \
         const float* B, long long ldb, long long strideB, float beta, float* C, long long ldc,          \
         long long strideC) {                                                                            \
        tf32::body<TA, TB>(m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC);     \
    }

TF32_ENTRY(gemm_tf32_nn, false, false, (256))
TF32_ENTRY(gemm_tf32_nt, false, true, (256, 2))
TF32_ENTRY(gemm_tf32_tn, true, false, (256, 2))
TF32_ENTRY(gemm_tf32_tt, true, true, (256))
