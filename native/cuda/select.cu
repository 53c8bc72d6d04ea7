// k-th largest |x| by radix select, and exact top-k magnitude pruning.
//
// With the sign bit cleared, the bit patterns of floats order exactly as their absolute values, NaN above
// +∞; so the k-th largest |x| is found one byte at a time, from the most significant: count how many
// candidates fall in each of 256 buckets of the current byte, pick the bucket holding the k-th largest, and
// keep only that bucket's elements as candidates for the next byte. Four histogram passes, no sorting, x is
// never modified, and the whole search stays on the device (the host reads the answer once).

struct SelectState {
    unsigned prefix;         // bits of the answer decided so far
    unsigned mask;           // which bits those are
    unsigned long long k;    // rank of the answer among the remaining candidates (1 = largest)
};

__device__ __forceinline__ unsigned abs_bits(float v) {
    return __float_as_uint(v) & 0x7fffffffu;
}

// hist[b] += number of candidates whose byte at `shift` is b. Launch: any 1-D grid, block 256.
//
// Tensors of one scale put nearly every element in two or three buckets of the top byte (sign and exponent),
// so one shared histogram would serialise the block on a few addresses. Each warp therefore has its own
// sub-histogram, and the lanes of a warp that share a bucket add once, through their leader (__match_any_sync):
// at most one atomic per distinct bucket per warp, and no two warps contend.
constexpr int RADIX_WARPS = 8;

extern "C" __global__ void abs_radix_histogram(long long n, const float* __restrict__ x,
                                               const SelectState* state, int shift,
                                               unsigned long long* hist) {
    __shared__ unsigned local[RADIX_WARPS][256];
    for (int w = 0; w < RADIX_WARPS; w++) local[w][threadIdx.x] = 0;
    __syncthreads();
    const unsigned prefix = state->prefix, mask = state->mask;
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    // The bound is on the block's first element, so whole warps iterate together (match_any needs all lanes).
    for (long long base = blockIdx.x * (long long) blockDim.x; base < n; base += (long long) gridDim.x * blockDim.x) {
        const long long i = base + threadIdx.x;
        const unsigned bits = i < n ? abs_bits(x[i]) : 0u;
        const bool candidate = i < n && (bits & mask) == prefix;
        const unsigned bucket = candidate ? (bits >> shift) & 0xffu : 256u; // 256: not counted
        const unsigned peers = __match_any_sync(0xffffffffu, bucket);
        const bool leader = (peers & ((1u << lane) - 1u)) == 0;
        if (candidate && leader) atomicAdd(&local[warp][bucket], (unsigned) __popc(peers));
    }
    __syncthreads();
    unsigned long long total = 0;
    for (int w = 0; w < RADIX_WARPS; w++) total += local[w][threadIdx.x];
    if (total) atomicAdd(&hist[threadIdx.x], total);
}

// Picks the bucket holding the k-th largest candidate, narrows the state to it, and clears the histogram for
// the next pass. Launch: one block of one thread (256 steps: cheaper than a launch of anything wider).
extern "C" __global__ void abs_radix_select_bucket(SelectState* state, int shift, unsigned long long* hist) {
    unsigned long long k = state->k;
    int bucket = 255;
    for (; bucket > 0; bucket--) {
        if (k <= hist[bucket]) break;
        k -= hist[bucket];
    }
    state->k = k;
    state->prefix |= (unsigned) bucket << shift;
    state->mask |= 0xffu << shift;
    for (int b = 0; b < 256; b++) hist[b] = 0;
}

// Top-k pruning after a select: keeps every x with |x| above the threshold and, among those equal to it, the
// first `keepEqual` by index (ties broken toward lower indices), zeroing the rest. Each block owns a chunk of
// `chunk` consecutive elements; prune_count_equal counts the ties per chunk, prune_chunk_offsets turns the
// counts into offsets, prune_apply ranks them.

extern "C" __global__ void prune_count_equal(long long n, const float* __restrict__ x, unsigned threshold,
                                             long long chunk, unsigned long long* chunkCounts) {
    const long long begin = blockIdx.x * chunk, end = min(n, begin + chunk);
    unsigned long long count = 0;
    for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) count += abs_bits(x[i]) == threshold;
    __shared__ unsigned long long partial[32];
    for (int offset = 16; offset > 0; offset /= 2) count += __shfl_xor_sync(0xffffffffu, count, offset);
    if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = count;
    __syncthreads();
    if (threadIdx.x == 0) {
        unsigned long long total = 0;
        for (int w = 0; w < blockDim.x / 32; w++) total += partial[w];
        chunkCounts[blockIdx.x] = total;
    }
}

// In place: chunkCounts[c] becomes the number of ties in chunks 0..c−1 (an exclusive prefix sum), computed
// once for all chunks, so prune_apply reads its offset instead of every block re-summing its predecessors.
// One block walks the counts a tile of blockDim at a time, carrying the running total: O(chunks) work.
// Launch: one block, any multiple of 32 threads up to 1024.
extern "C" __global__ void prune_chunk_offsets(long long chunks, unsigned long long* chunkCounts) {
    __shared__ unsigned long long warpTotals[32];
    __shared__ unsigned long long carry;
    if (threadIdx.x == 0) carry = 0;
    __syncthreads();
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    for (long long base = 0; base < chunks; base += blockDim.x) {
        const long long c = base + threadIdx.x;
        const unsigned long long mine = c < chunks ? chunkCounts[c] : 0;
        unsigned long long inclusive = mine; // within the warp
        for (int offset = 1; offset < 32; offset *= 2) {
            const unsigned long long other = __shfl_up_sync(0xffffffffu, inclusive, offset);
            if (lane >= offset) inclusive += other;
        }
        if (lane == 31) warpTotals[warp] = inclusive;
        __syncthreads();
        unsigned long long before = carry;
        for (int w = 0; w < warp; w++) before += warpTotals[w];
        if (c < chunks) chunkCounts[c] = before + inclusive - mine;
        __syncthreads(); // carry and warpTotals are read by all before the last thread moves them on
        if (threadIdx.x == blockDim.x - 1) carry = before + inclusive;
        __syncthreads();
    }
}

// Launch: grid = number of chunks, block 256, after prune_chunk_offsets turned the counts into offsets.
extern "C" __global__ void prune_apply(long long n, const float* __restrict__ x, unsigned threshold,
                                       unsigned long long keepEqual, long long chunk,
                                       const unsigned long long* __restrict__ chunkOffsets,
                                       float* __restrict__ out) {
    __shared__ unsigned warpCounts[32];
    unsigned long long rank = chunkOffsets[blockIdx.x]; // ties before the current tile of blockDim elements
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    const long long begin = blockIdx.x * chunk, end = min(n, begin + chunk);
    for (long long base = begin; base < end; base += blockDim.x) {
        const long long i = base + threadIdx.x;
        const float v = i < end ? x[i] : 0.0f;
        const unsigned bits = abs_bits(v);
        const bool tie = i < end && bits == threshold;
        const unsigned ballot = __ballot_sync(0xffffffffu, tie);
        if (lane == 0) warpCounts[warp] = __popc(ballot);
        __syncthreads();
        unsigned long long myRank = rank + __popc(ballot & ((1u << lane) - 1u));
        unsigned long long tileTotal = 0;
        for (int w = 0; w < blockDim.x / 32; w++) {
            if (w < warp) myRank += warpCounts[w];
            tileTotal += warpCounts[w];
        }
        if (i < end) out[i] = (bits > threshold || (tie && myRank < keepEqual)) ? v : 0.0f;
        rank += tileTotal;
        __syncthreads(); // warpCounts is rewritten by the next tile
    }
}
