// Reductions across a thread block (any blockDim.x that is a multiple of 32, up to 1024): warp shuffles,
// then one value per warp through shared memory. Every thread receives the result. Each call ends with a
// barrier, so a block may call them back to back and may overwrite its inputs afterwards.
#pragma once

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
    #pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

// max that propagates NaN (fmaxf would drop it).
__device__ __forceinline__ float nan_max(float a, float b) {
    return (a > b || isnan(a)) ? a : b;
}

__device__ __forceinline__ float warp_max(float v) {
    #pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) v = nan_max(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

template <typename T>
__device__ __forceinline__ T block_sum(T v) {
    __shared__ T partial[32];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
    v = warp_sum(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    T total = lane < warps ? partial[lane] : T(0);
    total = warp_sum(total);
    __syncthreads(); // partial may be reused by the next call
    return total;
}

__device__ __forceinline__ float block_max(float v) {
    __shared__ float partial[32];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
    v = warp_max(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    float total = lane < warps ? partial[lane] : -INFINITY;
    total = warp_max(total);
    __syncthreads();
    return total;
}
