/*
 * Row-wise normalisations (softmax, log-softmax, layer norm) and their backward passes, on contiguous
 * rows×cols blocks. Rows are independent and split across threads. Per-row sums run in double; every
 * function reads all it needs from a row before writing it, which is what lets out alias x (and dx alias dy).
 */
#include "amalgam.h"

#include <math.h>
#include <stdlib.h>

#define PARALLEL_MIN_ELEMENTS (1 << 15)

/* Largest value of the row, NaN if any is NaN (so a NaN row stays NaN instead of hiding behind max). */
static float row_max(const float *x, int64_t cols) {
    float m = -INFINITY;
    for (int64_t j = 0; j < cols; j++) {
        if (x[j] != x[j]) return x[j];
        if (x[j] > m) m = x[j];
    }
    return m;
}

void amalgam_softmax_rows(int32_t rows, int32_t cols, const float *x, float *out, int threads) {
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * cols >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *o = out + r * cols;
        double m = row_max(xr, cols), sum = 0.0;
        for (int64_t j = 0; j < cols; j++) sum += exp((double) xr[j] - m);
        for (int64_t j = 0; j < cols; j++) o[j] = (float) (exp((double) xr[j] - m) / sum);
    }
}

void amalgam_log_softmax_rows(int32_t rows, int32_t cols, const float *x, float *out, int threads) {
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * cols >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *o = out + r * cols;
        double m = row_max(xr, cols), sum = 0.0;
        for (int64_t j = 0; j < cols; j++) sum += exp((double) xr[j] - m);
        double shift = m + log(sum);
        for (int64_t j = 0; j < cols; j++) o[j] = (float) ((double) xr[j] - shift);
    }
}

void amalgam_softmax_backward_rows(int32_t rows, int32_t cols, const float *y, const float *dy, float *dx,
                                   int threads) {
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * cols >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *yr = y + r * cols, *dyr = dy + r * cols;
        float *o = dx + r * cols;
        double dot = 0.0;
        for (int64_t j = 0; j < cols; j++) dot += (double) dyr[j] * yr[j];
        for (int64_t j = 0; j < cols; j++) o[j] = (float) (yr[j] * ((double) dyr[j] - dot));
    }
}

void amalgam_log_softmax_backward_rows(int32_t rows, int32_t cols, const float *y, const float *dy, float *dx,
                                       int threads) {
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * cols >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *yr = y + r * cols, *dyr = dy + r * cols;
        float *o = dx + r * cols;
        double sum = 0.0;
        for (int64_t j = 0; j < cols; j++) sum += dyr[j];
        for (int64_t j = 0; j < cols; j++) o[j] = (float) ((double) dyr[j] - exp((double) yr[j]) * sum);
    }
}

void amalgam_layer_norm_rows(int32_t rows, int32_t cols, float eps, const float *x,
                             const float *gamma, const float *beta, float *y, float *mean, float *rstd,
                             int threads) {
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * cols >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *o = y + r * cols;
        double sum = 0.0, squares = 0.0;
        for (int64_t j = 0; j < cols; j++) sum += xr[j];
        double mu = sum / cols;
        /* Two passes: the variance of (x − μ) does not cancel catastrophically the way E[x²] − μ² does. */
        for (int64_t j = 0; j < cols; j++) squares += ((double) xr[j] - mu) * ((double) xr[j] - mu);
        double inv = 1.0 / sqrt(squares / cols + (double) eps);
        for (int64_t j = 0; j < cols; j++) {
            double v = ((double) xr[j] - mu) * inv;
            if (gamma != NULL) v *= gamma[j];
            if (beta != NULL) v += beta[j];
            o[j] = (float) v;
        }
        if (mean != NULL) mean[r] = (float) mu;
        if (rstd != NULL) rstd[r] = (float) inv;
    }
}

/*
 * Adds Σ_rows dy·x̂ to dgamma and Σ_rows dy to dbeta (either may be NULL), x̂ = (x − mean)·rstd, split by
 * column so each thread owns its sums. A NULL mean is zero: RMS normalisation's weight gradient.
 */
static void norm_parameter_gradients(int32_t rows, int32_t cols, const float *x, const float *mean,
                                     const float *rstd, const float *dy, float *dgamma, float *dbeta, int threads) {
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * cols >= PARALLEL_MIN_ELEMENTS)
    for (int64_t j = 0; j < cols; j++) {
        double g = 0.0, bsum = 0.0;
        for (int64_t r = 0; r < rows; r++) {
            double d = dy[r * cols + j];
            g += d * (((double) x[r * cols + j] - (mean != NULL ? mean[r] : 0.0)) * rstd[r]);
            bsum += d;
        }
        if (dgamma != NULL) dgamma[j] = (float) (dgamma[j] + g);
        if (dbeta != NULL) dbeta[j] = (float) (dbeta[j] + bsum);
    }
}

void amalgam_layer_norm_backward_rows(int32_t rows, int32_t cols, const float *x,
                                      const float *mean, const float *rstd, const float *gamma,
                                      const float *dy, float *dx, float *dgamma, float *dbeta, int threads) {
    int64_t elements = (int64_t) rows * cols;
    /* Parameter gradients first: dx may overwrite dy later. */
    if (dgamma != NULL || dbeta != NULL) {
        norm_parameter_gradients(rows, cols, x, mean, rstd, dy, dgamma, dbeta, threads);
    }
#pragma omp parallel for num_threads(threads) if (elements >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols, *dyr = dy + r * cols;
        float *o = dx + r * cols;
        double mu = mean[r], inv = rstd[r], sum_g = 0.0, sum_gx = 0.0;
        for (int64_t j = 0; j < cols; j++) {
            double g = gamma != NULL ? (double) gamma[j] * dyr[j] : dyr[j];
            sum_g += g;
            sum_gx += g * ((xr[j] - mu) * inv);
        }
        double mean_g = sum_g / cols, mean_gx = sum_gx / cols;
        for (int64_t j = 0; j < cols; j++) {
            double g = gamma != NULL ? (double) gamma[j] * dyr[j] : dyr[j];
            double xhat = (xr[j] - mu) * inv;
            o[j] = (float) (inv * (g - mean_g - xhat * mean_gx));
        }
    }
}

void amalgam_rms_norm_rows(int32_t rows, int32_t cols, float eps, const float *x, const float *weight, float *y,
                           float *rstd, int threads) {
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * cols >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *o = y + r * cols;
        double squares = 0.0;
        for (int64_t j = 0; j < cols; j++) squares += (double) xr[j] * xr[j];
        double inv = 1.0 / sqrt(squares / cols + (double) eps);
        for (int64_t j = 0; j < cols; j++) o[j] = (float) (weight != NULL ? xr[j] * inv * weight[j] : xr[j] * inv);
        if (rstd != NULL) rstd[r] = (float) inv;
    }
}

void amalgam_rms_norm_backward_rows(int32_t rows, int32_t cols, const float *x, const float *rstd,
                                    const float *weight, const float *dy, float *dx, float *dweight, int threads) {
    /* The weight gradient first: dx may overwrite dy later. */
    if (dweight != NULL) norm_parameter_gradients(rows, cols, x, NULL, rstd, dy, dweight, NULL, threads);
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * cols >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols, *dyr = dy + r * cols;
        float *o = dx + r * cols;
        double inv = rstd[r], sum_gx = 0.0;
        for (int64_t j = 0; j < cols; j++) {
            double g = weight != NULL ? (double) weight[j] * dyr[j] : dyr[j];
            sum_gx += g * (xr[j] * inv);
        }
        double mean_gx = sum_gx / cols;
        for (int64_t j = 0; j < cols; j++) {
            double g = weight != NULL ? (double) weight[j] * dyr[j] : dyr[j];
            o[j] = (float) (inv * (g - xr[j] * inv * mean_gx));
        }
    }
}

/* Rotate-half rotary embedding; row r is at token r % tokens. In double and rounded once, as the reference. */
void amalgam_rope_rows(int32_t rows, int32_t tokens, int32_t dim, const float *x, const float *cos,
                       const float *sin, float *out, int threads) {
    int64_t half = dim / 2;
#pragma omp parallel for num_threads(threads) if ((int64_t) rows * dim >= PARALLEL_MIN_ELEMENTS)
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * dim, *c = cos + (r % tokens) * dim, *s = sin + (r % tokens) * dim;
        float *o = out + r * dim;
        for (int64_t j = 0; j < half; j++) {
            double x1 = xr[j], x2 = xr[j + half];
            o[j] = (float) (x1 * c[j] - x2 * s[j]);
            o[j + half] = (float) (x2 * c[j + half] + x1 * s[j + half]);
        }
    }
}
