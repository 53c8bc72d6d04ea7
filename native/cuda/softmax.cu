// Row softmax and log-softmax of a contiguous rows×cols block, and their backward passes. One block per row
// (launch: grid rows, block 256); the max is subtracted before exponentiating so large logits stay finite.
// Outputs may alias inputs: every thread reads only the elements it later writes, and the block reductions
// between the passes are barriers.
#include "block_reduce.cuh"

// Returns the row max and sets sum = Σ exp(x − max).
__device__ __forceinline__ float row_max_and_exp_sum(const float* row, int cols, float& sum) {
    float max = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) max = nan_max(max, row[j]);
    max = block_max(max);
    float partial = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) partial += expf(row[j] - max);
    sum = block_sum(partial);
    return max;
}

extern "C" __global__ void softmax_rows_f32(int rows, int cols, const float* x, float* out) {
    const float* row = x + (long long) blockIdx.x * cols;
    float* dst = out + (long long) blockIdx.x * cols;
    float sum;
    float max = row_max_and_exp_sum(row, cols, sum);
    const float inv = 1.0f / sum;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dst[j] = expf(row[j] - max) * inv;
}

extern "C" __global__ void log_softmax_rows_f32(int rows, int cols, const float* x, float* out) {
    const float* row = x + (long long) blockIdx.x * cols;
    float* dst = out + (long long) blockIdx.x * cols;
    float sum;
    float max = row_max_and_exp_sum(row, cols, sum);
    const float shift = max + logf(sum);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dst[j] = row[j] - shift;
}

// dx = y ⊙ (dy − Σ dy ⊙ y)
extern "C" __global__ void softmax_backward_rows_f32(int rows, int cols, const float* y, const float* dy,
                                                     float* dx) {
    const long long start = (long long) blockIdx.x * cols;
    float partial = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) partial += dy[start + j] * y[start + j];
    const float dot = block_sum(partial);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dx[start + j] = y[start + j] * (dy[start + j] - dot);
}

// dx = dy − exp(y) · Σ dy
extern "C" __global__ void log_softmax_backward_rows_f32(int rows, int cols, const float* y, const float* dy,
                                                         float* dx) {
    const long long start = (long long) blockIdx.x * cols;
    float partial = 0.0f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) partial += dy[start + j];
    const float sum = block_sum(partial);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dx[start + j] = dy[start + j] - expf(y[start + j]) * sum;
}
