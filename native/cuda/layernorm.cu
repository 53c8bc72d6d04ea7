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

// Adds Σ_rows dy ⊙ x̂ to dgamma and Σ_rows dy to dbeta (either may be null). A null mean is zero, which makes
// dgamma RMS normalisation's weight gradient.
//
// A block of 256 threads owns a tile of 32 columns at a time and splits the rows among its 8 warps: warp w
// sums rows w, w + 8, …, each lane one column, so every warp load is 32 neighbouring floats of a row; the 8
// partial sums of a column are then added in warp order (the same sum, run after run). Blocks stride over
// the column tiles, so any grid covers every column. Launch: block 256, any 1-D grid (ColumnTiles.blocks).
constexpr int PARAM_GRAD_COLUMNS = 32, PARAM_GRAD_ROW_LANES = 8;

extern "C" __global__ void layernorm_param_grads_f32(int rows, int cols, const float* x, const float* mean,
                                                     const float* rstd, const float* dy, float* dgamma,
                                                     float* dbeta) {
    __shared__ double gammaPartial[PARAM_GRAD_ROW_LANES][PARAM_GRAD_COLUMNS];
    __shared__ double betaPartial[PARAM_GRAD_ROW_LANES][PARAM_GRAD_COLUMNS];
    const int lane = threadIdx.x % PARAM_GRAD_COLUMNS, rowLane = threadIdx.x / PARAM_GRAD_COLUMNS;
    for (long long tile = blockIdx.x; tile * PARAM_GRAD_COLUMNS < cols; tile += gridDim.x) {
        const long long j = tile * PARAM_GRAD_COLUMNS + lane;
        double gammaSum = 0.0, betaSum = 0.0;
        if (j < cols) {
            for (int r = rowLane; r < rows; r += PARAM_GRAD_ROW_LANES) {
                const long long at = (long long) r * cols + j;
                const double d = dy[at];
                gammaSum += d * ((x[at] - (mean ? (double) mean[r] : 0.0)) * rstd[r]);
                betaSum += d;
            }
        }
        gammaPartial[rowLane][lane] = gammaSum;
        betaPartial[rowLane][lane] = betaSum;
        __syncthreads();
        if (rowLane == 0 && j < cols) {
            for (int w = 1; w < PARAM_GRAD_ROW_LANES; w++) {
                gammaSum += gammaPartial[w][lane];
                betaSum += betaPartial[w][lane];
            }
            if (dgamma) dgamma[j] = (float) (dgamma[j] + gammaSum);
            if (dbeta) dbeta[j] = (float) (dbeta[j] + betaSum);
        }
        __syncthreads(); // the partials are rewritten by the next tile
    }
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
