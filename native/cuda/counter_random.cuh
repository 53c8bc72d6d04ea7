// The DARE keep masks' generator, line for line the CPU's amalgam.kernels.CounterRandom: SplitMix64's
// finaliser over (seed, stream, index), so a GPU merge draws exactly the masks a CPU merge draws, on any
// device and in any launch geometry. The emulation checks these functions against the Java's answers.
#pragma once

namespace counter_random {

constexpr unsigned long long GOLDEN_GAMMA = 0x9E3779B97F4A7C15ull;

__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Java's long arithmetic wraps like unsigned 64-bit arithmetic, and its >>> is the unsigned shift.
__device__ __forceinline__ unsigned long long stream_key(long long seed, long long stream) {
    return mix64(mix64((unsigned long long) seed + GOLDEN_GAMMA) + ((unsigned long long) stream + 1) * GOLDEN_GAMMA);
}

// CounterRandom.adapterStream: every adapter of every module (or tensor) its own stream.
__device__ __forceinline__ long long adapter_stream(long long stream, int adapter) {
    return (long long) ((unsigned long long) stream * 65537ull + (unsigned long long) (long long) adapter);
}

// Uniform in [0, 1) from the top 53 bits: the same double as the Java's, bit for bit.
__device__ __forceinline__ double uniform(unsigned long long key, long long index) {
    const unsigned long long bits = mix64(key ^ mix64(((unsigned long long) index + 1) * GOLDEN_GAMMA));
    return (double) (bits >> 11) * 0x1.0p-53;
}

} // namespace counter_random
