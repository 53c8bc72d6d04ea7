// Row softmax and log-softmax of a contiguous rows×cols block, and their backward passes. One block per row
// (launch: grid rows, block 256); the max is subtracted before exponentiating so large logits stay finite.
// Exponentials and sums are taken in double and each output rounded once, as the reference does: these
// kernels are memory-bound, so the precision costs nothing visible. Outputs may alias inputs: every thread
// reads only the elements it later writes, and the block reductions between the passes are barriers.
#include "block_reduce.cuh"

// Returns the row max (NaN if any element is NaN) and sets sum = Σ exp(x − max).
__device__ __forceinline__ float row_max_and_exp_sum(const float* row, int cols, double& sum) {
    float max = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) max = nan_max(max, row[j]);
    max = block_max(max);
    double partial = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) partial += exp((double) row[j] - max);
    sum = block_sum(partial);
    return max;
}

extern "C" __global__ void softmax_rows_f32(int rows, int cols, const float* x, float* out) {
    const float* row = x + (long long) blockIdx.x * cols;
    float* dst = out + (long long) blockIdx.x * cols;
    double sum;
    const float max = row_max_and_exp_sum(row, cols, sum);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dst[j] = (float) (exp((double) row[j] - max) / sum);
}

extern "C" __global__ void log_softmax_rows_f32(int rows, int cols, const float* x, float* out) {
    const float* row = x + (long long) blockIdx.x * cols;
    float* dst = out + (long long) blockIdx.x * cols;
    double sum;
    const float max = row_max_and_exp_sum(row, cols, sum);
    const double logSum = log(sum);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dst[j] = (float) ((double) row[j] - max - logSum);
}

// dx = y ⊙ (dy − Σ dy ⊙ y)
extern "C" __global__ void softmax_backward_rows_f32(int rows, int cols, const float* y, const float* dy,
                                                     float* dx) {
    const long long start = (long long) blockIdx.x * cols;
    double partial = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) partial += (double) dy[start + j] * y[start + j];
    const double dot = block_sum(partial);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        dx[start + j] = (float) (y[start + j] * ((double) dy[start + j] - dot));
    }
}

// dx = dy − exp(y) · Σ dy
extern "C" __global__ void log_softmax_backward_rows_f32(int rows, int cols, const float* y, const float* dy,
                                                         float* dx) {
    const long long start = (long long) blockIdx.x * cols;
    double partial = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) partial += dy[start + j];
    const double sum = block_sum(partial);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        dx[start + j] = (float) (dy[start + j] - exp((double) y[start + j]) * sum);
    }
}
