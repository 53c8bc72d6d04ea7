// Layer normalisation of each row of a contiguous rows×cols block, y = (x − μ)·rstd·gamma + beta with the
// biased variance, RMS normalisation y = x·rstd·weight with rstd = 1/√(mean(x²) + eps), and their backward
// passes. Statistics and outputs are computed in double and rounded once,
// as the reference does. gamma, beta, mean and rstd may be null (0). Row kernels: grid rows, block 256.
#include "block_reduce.cuh"

extern "C" __global__ void layernorm_rows_f32(int rows, int cols, float eps, const float* x, const float* gamma,
                                              const float* beta, float* y, float* mean, float* rstd) {
    const float* row = x + (long long) blockIdx.x * cols;
    float* dst = y + (long long) blockIdx.x * cols;
    double partial = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) partial += row[j];
    const double mu = block_sum(partial) / cols;
    // Second pass over the centred values: no cancellation when |μ| ≫ σ.
    partial = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        const double d = row[j] - mu;
        partial += d * d;
    }
    const double rs = 1.0 / sqrt(block_sum(partial) / cols + eps);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        const double g = gamma ? gamma[j] : 1.0, b = beta ? beta[j] : 0.0;
        dst[j] = (float) ((row[j] - mu) * rs * g + b);
    }
    if (threadIdx.x == 0) {
        if (mean) mean[blockIdx.x] = (float) mu;
        if (rstd) rstd[blockIdx.x] = (float) rs;
    }
}

// dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)) with g = dy ⊙ gamma and x̂ the normalised input.
extern "C" __global__ void layernorm_backward_rows_f32(int rows, int cols, const float* x, const float* mean,
                                                       const float* rstd, const float* gamma, const float* dy,
                                                       float* dx) {
    const long long start = (long long) blockIdx.x * cols;
    const double mu = mean[blockIdx.x], rs = rstd[blockIdx.x];
    double gPartial = 0.0, gxPartial = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        const double g = (double) dy[start + j] * (gamma ? gamma[j] : 1.0f);
        gPartial += g;
        gxPartial += g * ((x[start + j] - mu) * rs);
    }
    const double gMean = block_sum(gPartial) / cols;
    const double gxMean = block_sum(gxPartial) / cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        const double xhat = (x[start + j] - mu) * rs;
        const double g = (double) dy[start + j] * (gamma ? gamma[j] : 1.0f);
        dx[start + j] = (float) (rs * (g - gMean - xhat * gxMean));
    }
}

// Adds Σ_rows dy ⊙ x̂ to dgamma and Σ_rows dy to dbeta (either may be null). One thread per column, so a
// warp reads 32 neighbouring columns of a row at a time. A null mean is zero, which makes dgamma RMS
// normalisation's weight gradient. Launch: 1-D grid over cols.
extern "C" __global__ void layernorm_param_grads_f32(int rows, int cols, const float* x, const float* mean,
                                                     const float* rstd, const float* dy, float* dgamma,
                                                     float* dbeta) {
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) return;
    double gammaSum = 0.0, betaSum = 0.0;
    for (int r = 0; r < rows; r++) {
        const long long at = (long long) r * cols + j;
        const double d = dy[at];
        gammaSum += d * ((x[at] - (mean ? (double) mean[r] : 0.0)) * rstd[r]);
        betaSum += d;
    }
    if (dgamma) dgamma[j] = (float) (dgamma[j] + gammaSum);
    if (dbeta) dbeta[j] = (float) (dbeta[j] + betaSum);
}

extern "C" __global__ void rmsnorm_rows_f32(int rows, int cols, float eps, const float* x, const float* weight,
                                            float* y, float* rstd) {
    const float* row = x + (long long) blockIdx.x * cols;
    float* dst = y + (long long) blockIdx.x * cols;
    double partial = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) partial += (double) row[j] * row[j];
    const double rs = 1.0 / sqrt(block_sum(partial) / cols + eps);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dst[j] = (float) (row[j] * rs * (weight ? weight[j] : 1.0));
    if (threadIdx.x == 0 && rstd) rstd[blockIdx.x] = (float) rs;
}

// dx = rstd · (g − x̂ · mean(g ⊙ x̂)) with g = dy ⊙ weight and x̂ = x · rstd; the weight gradient is
// layernorm_param_grads_f32's with a null mean.
extern "C" __global__ void rmsnorm_backward_rows_f32(int rows, int cols, const float* x, const float* rstd,
                                                     const float* weight, const float* dy, float* dx) {
    const long long start = (long long) blockIdx.x * cols;
    const double rs = rstd[blockIdx.x];
    double gxPartial = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        gxPartial += (double) dy[start + j] * (weight ? weight[j] : 1.0f) * (x[start + j] * rs);
    }
    const double gxMean = block_sum(gxPartial) / cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        const double g = (double) dy[start + j] * (weight ? weight[j] : 1.0f);
        dx[start + j] = (float) (rs * (g - x[start + j] * rs * gxMean));
    }
}
