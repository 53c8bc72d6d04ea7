// FP32 GEMM, C = alpha·op(A)·op(B) + beta·C on row-major matrices, batched over gridDim.z with element
// strides between matrices (a stride of 0 reuses one matrix). One kernel per transpose combination so the
// loads are specialised at compile time. Launch: block 256, grid (⌈n/128⌉, ⌈m/128⌉, batch).
#include "sgemm_tiles.cuh"

template <bool TRANS_A, bool TRANS_B>
__device__ __forceinline__ void sgemm_body(int m, int n, int k, float alpha,
                                           const float* A, long long lda, long long strideA,
                                           const float* B, long long ldb, long long strideB,
                                           float beta, float* C, long long ldc, long long strideC) {
    __shared__ sgemm::Shared s;
    const int row0 = blockIdx.y * sgemm::BM, col0 = blockIdx.x * sgemm::BN;
    const long long batch = blockIdx.z;
    A += batch * strideA;
    B += batch * strideB;
    C += batch * strideC;
    float acc[8][8] = {};
    sgemm::accumulate<TRANS_A, TRANS_B>(A, lda, B, ldb, m, n, k, row0, col0, acc, s);
    sgemm::store(acc, alpha, beta, C, ldc, m, n, row0, col0);
}

// BOUNDS (256, 2) caps a kernel at 128 registers so two blocks share an SM; ptxas -arch=sm_90 -v fits tn and tt
// in 128 without spilling (138-143 unbounded), while nn and nt would spill 44 and 28 bytes, so they keep (256).
#define SGEMM_ENTRY(NAME, TA, TB, BOUNDS)                                                               \
    extern "C" __global__ void __launch_bounds__ BOUNDS                                                 \
    NAME(int m, int n, int k, float alpha, const float* A, long long lda, long long strideA,             \
         const float* B, long long ldb, long long strideB, float beta, float* C, long long ldc,          \
         long long strideC) {                                                                            \
        sgemm_body<TA, TB>(m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC);     \
    }

SGEMM_ENTRY(sgemm_nn, false, false, (256))
SGEMM_ENTRY(sgemm_nt, false, true, (256))
SGEMM_ENTRY(sgemm_tn, true, false, (256, 2))
SGEMM_ENTRY(sgemm_tt, true, true, (256, 2))
