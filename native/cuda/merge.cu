// Per-entry merge kernels over a stack of `count` tensors of n elements each, tensor i starting i·stride
// elements after the base pointer. Semantics follow MERGING.md (PEFT by default). Launch: any 1-D grid.
#include "counter_random.cuh"

#define GRID_STRIDE(i, n) \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
         i += (long long) gridDim.x * blockDim.x)

// Election modes.
constexpr int ELECT_TOTAL = 0;     // sign of Σ p_i
constexpr int ELECT_FREQUENCY = 1; // sign of Σ sign(p_i)
constexpr int ELECT_WEIGHTED = 2;  // sign of Σ w_i p_i (mergekit)

__device__ __forceinline__ float sign_of(float v) {
    return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f);
}

// The majority sign of entry i, +1 or −1 (a zero total counts as +).
__device__ __forceinline__ float elect(int mode, const float* p, const float* weights, int count,
                                       long long stride, long long i) {
    double total = 0.0;
    for (int t = 0; t < count; t++) {
        const float v = p[t * stride + i];
        switch (mode) {
            case ELECT_TOTAL: total += v; break;
            case ELECT_FREQUENCY: total += sign_of(v); break;
            case ELECT_WEIGHTED: total += (double) weights[t] * v; break;
        }
    }
    return total >= 0.0 ? 1.0f : -1.0f;
}

extern "C" __global__ void ties_elect_sign(int mode, int count, long long n, long long stride, const float* p,
                                           const float* weights, float* sign) {
    GRID_STRIDE(i, n) sign[i] = elect(mode, p, weights, count, stride, i);
}

// out_i = Σ w_t p_t m_t / divisor over the entries agreeing with the elected sign (zeros never agree);
// divisor = max(Σ m_t, 1) (PEFT), or Σ w_t m_t when normalizeByWeight (mergekit; 0 when none agree).
// The election is fused in: p is read twice per entry, the second time from cache.
extern "C" __global__ void ties_disjoint_merge(int mode, int normalizeByWeight, int count, long long n,
                                               long long stride, const float* p, const float* weights,
                                               float* out) {
    GRID_STRIDE(i, n) {
        const float majority = elect(mode, p, weights, count, stride, i);
        double sum = 0.0, divisor = 0.0;
        for (int t = 0; t < count; t++) {
            const float v = p[t * stride + i];
            if (v != 0.0f && sign_of(v) == majority) {
                sum += (double) weights[t] * v;
                divisor += normalizeByWeight ? (double) weights[t] : 1.0;
            }
        }
        if (normalizeByWeight) out[i] = divisor != 0.0 ? (float) (sum / divisor) : 0.0f;
        else out[i] = (float) (sum / fmax(divisor, 1.0));
    }
}

// DARE keep decisions, CounterRandom.keeps on the CPU: element i of adapter `adapter` in `stream` (the module
// or tensor) is kept when uniform(stream_key(seed, adapter_stream(stream, adapter)), i) < probability. The
// probability is a double, as the CPU's is, so the comparison is the same one.
extern "C" __global__ void dare_keep_mask(long long n, long long seed, long long stream, int adapter,
                                          double probability, float* mask) {
    const unsigned long long key = counter_random::stream_key(seed, counter_random::adapter_stream(stream, adapter));
    GRID_STRIDE(i, n) mask[i] = counter_random::uniform(key, i) < probability ? 1.0f : 0.0f;
}

// out = kept ? x·rescale : 0 (rescale is (float) (1/density) for PEFT's DARE, as on the CPU); out may be x.
extern "C" __global__ void dare_apply(long long n, long long seed, long long stream, int adapter,
                                      double probability, float rescale, const float* x, float* out) {
    const unsigned long long key = counter_random::stream_key(seed, counter_random::adapter_stream(stream, adapter));
    GRID_STRIDE(i, n) out[i] = counter_random::uniform(key, i) < probability ? x[i] * rescale : 0.0f;
}
