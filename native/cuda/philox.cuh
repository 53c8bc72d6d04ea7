// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based
// generator, so element i of adapter a under seed s gets the same random bits on any device, in any launch
// geometry, and in the Java twin amalgam.kernels.cuda.Philox.
#pragma once

namespace philox {

constexpr unsigned M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

struct Block { unsigned v[4]; };

__device__ __forceinline__ Block generate(unsigned c0, unsigned c1, unsigned c2, unsigned c3,
                                          unsigned k0, unsigned k1) {
    #pragma unroll
    for (int round = 0; round < 10; round++) {
        const unsigned hi0 = __umulhi(M0, c0), lo0 = M0 * c0;
        const unsigned hi1 = __umulhi(M1, c2), lo1 = M1 * c2;
        const unsigned n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
        k0 += W0;
        k1 += W1;
    }
    return Block{{c0, c1, c2, c3}};
}

// Uniform in [0, 1) from the top 24 bits: exactly representable, so the host reproduces it bit for bit.
__device__ __forceinline__ float uniform(unsigned bits) {
    return (bits >> 8) * (1.0f / 16777216.0f);
}

} // namespace philox
