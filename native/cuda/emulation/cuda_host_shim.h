// Runs our CUDA C++ kernels on the CPU, so their index arithmetic, barriers and warp collectives can be
// checked on machines without a GPU. Force-included (g++ -include) before each native/cuda/*.cu.
//
// Each CUDA thread of a block is an OS thread; __syncthreads is a std::barrier over the block and each warp
// has its own barrier for shuffles and ballots, so the code runs exactly as written, barriers included.
// Blocks run one after another, which makes __shared__ variables plain statics. Tensor-core mma is emulated
// from the PTX ISA's fragment layout (see emulated_mma.h). What this cannot check: timing, memory-model
// races the barriers hide, and the real hardware's instruction semantics.
#pragma once

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#define AMALGAM_HOST_EMULATION 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) alignas(n)

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
struct alignas(16) float4 {
    float x, y, z, w;
};

namespace emu {
inline dim3 block_index, block_dim, grid_dim;
inline thread_local dim3 thread_index;
inline std::barrier<>* block_barrier;
inline std::barrier<>* warp_barriers[32];
inline std::uint64_t warp_slots[32][32];
} // namespace emu

#define blockIdx (emu::block_index)
#define blockDim (emu::block_dim)
#define gridDim (emu::grid_dim)
#define threadIdx (emu::thread_index)

inline void __syncthreads() { emu::block_barrier->arrive_and_wait(); }

namespace emu {
// Every lane publishes a value, then reads another lane's: two warp barriers so no lane overwrites its slot
// before the others have read it.
template <typename T>
T exchange(T value, int source_lane) {
    static_assert(sizeof(T) <= 8, "warp exchange of at most 64 bits");
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    std::memcpy(&warp_slots[warp][lane], &value, sizeof(T));
    warp_barriers[warp]->arrive_and_wait();
    T result;
    std::memcpy(&result, &warp_slots[warp][source_lane], sizeof(T));
    warp_barriers[warp]->arrive_and_wait();
    return result;
}
} // namespace emu

template <typename T>
T __shfl_xor_sync(unsigned, T value, int offset) {
    return emu::exchange(value, (threadIdx.x % 32) ^ offset);
}

// Lanes below `offset` keep their own value, as on the GPU.
template <typename T>
T __shfl_up_sync(unsigned, T value, int offset) {
    const int lane = threadIdx.x % 32;
    return emu::exchange(value, lane >= offset ? lane - offset : lane);
}

// The lanes of the warp holding the same value as this one.
inline unsigned __match_any_sync(unsigned, unsigned value) {
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    emu::warp_slots[warp][lane] = value;
    emu::warp_barriers[warp]->arrive_and_wait();
    unsigned peers = 0;
    const int lanes = (int) std::min(32u, blockDim.x - warp * 32);
    for (int l = 0; l < lanes; l++) peers |= (emu::warp_slots[warp][l] == value ? 1u : 0u) << l;
    emu::warp_barriers[warp]->arrive_and_wait();
    return peers;
}

inline unsigned __ballot_sync(unsigned, bool predicate) {
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    emu::warp_slots[warp][lane] = predicate ? 1 : 0;
    emu::warp_barriers[warp]->arrive_and_wait();
    unsigned bits = 0;
    for (int l = 0; l < 32; l++) bits |= (emu::warp_slots[warp][l] ? 1u : 0u) << l;
    emu::warp_barriers[warp]->arrive_and_wait();
    return bits;
}

inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((std::uint64_t) a * b) >> 32); }
inline unsigned __float_as_uint(float x) { unsigned u; std::memcpy(&u, &x, 4); return u; }
inline float __uint_as_float(unsigned u) { float x; std::memcpy(&x, &u, 4); return x; }
inline float __int_as_float(int i) { float x; std::memcpy(&x, &i, 4); return x; }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
using std::isnan;
using std::min;
using std::max;

template <typename T>
T atomicAdd(T* address, T value) {
    return std::atomic_ref<T>(*address).fetch_add(value);
}

namespace emu {
// Runs kernel() as a grid of blocks of `threads` threads each.
template <typename Kernel>
void launch(dim3 grid, unsigned threads, Kernel kernel) {
    grid_dim = grid;
    block_dim = dim3{threads, 1, 1};
    for (unsigned z = 0; z < grid.z; z++)
        for (unsigned y = 0; y < grid.y; y++)
            for (unsigned x = 0; x < grid.x; x++) {
                block_index = dim3{x, y, z};
                std::barrier<> block(threads);
                block_barrier = &block;
                std::vector<std::unique_ptr<std::barrier<>>> warps;
                for (unsigned w = 0; w * 32 < threads; w++) {
                    warps.push_back(std::make_unique<std::barrier<>>(std::min(32u, threads - w * 32)));
                    warp_barriers[w] = warps.back().get();
                }
                std::vector<std::thread> pool;
                for (unsigned t = 0; t < threads; t++) {
                    pool.emplace_back([t, &kernel] {
                        thread_index = dim3{t, 0, 0};
                        kernel();
                    });
                }
                for (std::thread& thread : pool) thread.join();
            }
}
} // namespace emu
