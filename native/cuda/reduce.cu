// Reduction of the middle axis of a contiguous [outer, axis, inner] block into [outer, inner], with the
// semantics of amalgam.kernels.ReduceOp: op 0 SUM (accumulated in double), 1 MAX (NaN propagates, −∞ for an
// empty axis), 2 MEAN (NaN for an empty axis).
#include "block_reduce.cuh"

__device__ __forceinline__ float finish(int op, double sum, float max, int axis) {
    if (op == 1) return max;
    return op == 2 ? (float) (sum / axis) : (float) sum;
}

// inner == 1: each row of `axis` contiguous values is reduced by one block. Launch: grid outer, block 256.
extern "C" __global__ void reduce_rows_f32(int op, int outer, int axis, const float* __restrict__ x,
                                           float* __restrict__ out) {
    const float* row = x + (long long) blockIdx.x * axis;
    double sum = 0.0;
    float max = -INFINITY;
    for (int j = threadIdx.x; j < axis; j += blockDim.x) {
        float v = row[j];
        sum += v;
        max = nan_max(max, v);
    }
    if (op == 1) max = block_max(max);
    else sum = block_sum(sum);
    if (threadIdx.x == 0) out[blockIdx.x] = finish(op, sum, max, axis);
}

// inner > 1: one thread per output walks the axis; neighbouring threads read neighbouring columns, so the
// loads coalesce. Launch: 1-D grid over outer·inner outputs.
extern "C" __global__ void reduce_columns_f32(int op, int outer, int axis, int inner, const float* __restrict__ x,
                                              float* __restrict__ out) {
    const long long outputs = (long long) outer * inner;
    for (long long o = blockIdx.x * (long long) blockDim.x + threadIdx.x; o < outputs;
         o += (long long) gridDim.x * blockDim.x) {
        const long long base = (o / inner) * (long long) axis * inner + o % inner;
        double sum = 0.0;
        float max = -INFINITY;
        for (int a = 0; a < axis; a++) {
            float v = x[base + (long long) a * inner];
            sum += v;
            max = nan_max(max, v);
        }
        out[o] = finish(op, sum, max, axis);
    }
}
