// The two tensor-core operations of gemm_tf32.cu, emulated for cuda_host_shim.h from the PTX ISA's
// description: cvt.rna.tf32.f32 keeps 10 mantissa bits, rounding to nearest with ties away from zero; and
// mma.m16n8k8 with fragments owned as (g = lane/4, t = lane%4)
//   A 16×8: a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4)
//   B 8×8:  b0 (k=t, n=g), b1 (k=t+4, n=g)
//   C 16×8: c0 (g, 2t), c1 (g, 2t+1), c2 (g+8, 2t), c3 (g+8, 2t+1).
// The whole warp gathers its fragments, each lane computes its four outputs, then the warp moves on.
#pragma once
#include "cuda_host_shim.h"

namespace tf32 {

inline unsigned to_tf32(float x) {
    unsigned bits = __float_as_uint(x);
    if ((bits & 0x7f800000u) == 0x7f800000u) return bits; // Inf and NaN pass through
    return (bits + 0x1000u) & 0xffffe000u;
}

namespace detail {
inline float a_tile[32][16][8], b_tile[32][8][8];
}

inline void mma(float d[4], const unsigned a[4], const unsigned b[2]) {
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, g = lane / 4, t = lane % 4;
    auto& A = detail::a_tile[warp];
    auto& B = detail::b_tile[warp];
    A[g][t] = __uint_as_float(a[0]);
    A[g + 8][t] = __uint_as_float(a[1]);
    A[g][t + 4] = __uint_as_float(a[2]);
    A[g + 8][t + 4] = __uint_as_float(a[3]);
    B[t][g] = __uint_as_float(b[0]);
    B[t + 4][g] = __uint_as_float(b[1]);
    emu::warp_barriers[warp]->arrive_and_wait();
    for (int q = 0; q < 4; q++) {
        const int row = g + (q >= 2 ? 8 : 0), col = 2 * t + (q & 1);
        float sum = d[q];
        for (int k = 0; k < 8; k++) sum = std::fma(A[row][k], B[k][col], sum);
        d[q] = sum;
    }
    emu::warp_barriers[warp]->arrive_and_wait();
}

} // namespace tf32
