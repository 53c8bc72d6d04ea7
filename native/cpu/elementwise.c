/*
 * Elementwise kernels. Each function is computed the way its Java reference definition is (UnaryOp.apply,
 * BinaryOp.apply, ScalarBackend): in double, rounded once to float, and with the Java rules
 * for NaN, signed zero and pow's special cases, so results match the scalar backend to the last bit or
 * close to it. The library is built without -ffast-math and with -ffp-contract=off for the same reason.
 */
#include "amalgam.h"

#include <math.h>

/* Below this many elements a parallel fork costs more than it saves. */
#define PARALLEL_MIN_ELEMENTS (1 << 16)

static const double SQRT_2_OVER_PI = 0.79788456080286535588;
static const double INV_SQRT_2 = 0.70710678118654752440;
static const double INV_SQRT_2PI = 0.39894228040143267794;
static const double GELU_CUBIC = 0.044715;

/* 1/(1 + e^−v) from e^−|v|, so that neither tail overflows or loses relative accuracy. */
static inline double logistic(double v) {
    double e = exp(-fabs(v));
    return v >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

/* √(2/π)·(x + 0.044715·x³), the argument of GELU's tanh. */
static inline double gelu_tanh_inner(double v) {
    return SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v);
}

/*
 * GELU and its derivative go through erfc and the logistic function rather than 1 + erf or 1 + tanh, which
 * cancel to nothing for x ≪ 0 (the same formulation as UnaryOp.apply).
 */
static inline float unary_apply(int op, float x) {
    double v = x;
    switch (op) {
        case AM_IDENTITY: return x;
        case AM_NEG: return -x;
        case AM_ABS: return fabsf(x);
        /* ±0 and NaN map to themselves, as Math.signum does. */
        case AM_SIGN: return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x;
        case AM_SQUARE: return (float) (v * v);
        case AM_SQRT: return (float) sqrt(v);
        case AM_RECIPROCAL: return (float) (1.0 / v);
        case AM_EXP: return (float) exp(v);
        case AM_LOG: return (float) log(v);
        case AM_TANH: return (float) tanh(v);
        case AM_SIGMOID: return (float) logistic(v);
        /* NaN stays NaN and -0 becomes +0, as Math.max(v, 0.0) does. */
        case AM_RELU: return x > 0.0f ? x : (x != x ? x : 0.0f);
        case AM_GELU_ERF: return (float) (0.5 * v * erfc(-v * INV_SQRT_2));
        case AM_GELU_TANH: return (float) (v * logistic(2.0 * gelu_tanh_inner(v)));
        case AM_GELU_ERF_DERIVATIVE:
            return (float) (0.5 * erfc(-v * INV_SQRT_2) + v * INV_SQRT_2PI * exp(-0.5 * v * v));
        case AM_GELU_TANH_DERIVATIVE: {
            /* With s = σ(2u): 0.5·(1 + tanh u) = s and 1 − tanh²u = 4·s·(1 − s). */
            double two_u = 2.0 * gelu_tanh_inner(v);
            double s = logistic(two_u), one_minus_s = logistic(-two_u);
            return (float) (s + 2.0 * v * s * one_minus_s * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * v * v));
        }
        default: return NAN;
    }
}

/* Math.max / Math.min: NaN wins, and +0 is larger than -0. */
static inline float java_max(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a > b ? a : b;
}

static inline float java_min(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? a : b;
    return a < b ? a : b;
}

/* Math.pow differs from C pow where C returns 1: pow(1, NaN) and pow(±1, ±Inf) are NaN in Java. */
static inline float java_pow(float a, float b) {
    if (b != b) return NAN;
    if (isinf(b) && fabsf(a) == 1.0f) return NAN;
    return (float) pow((double) a, (double) b);
}

static inline float binary_apply(int op, float a, float b) {
    switch (op) {
        case AM_ADD: return a + b;
        case AM_SUB: return a - b;
        case AM_MUL: return a * b;
        case AM_DIV: return a / b;
        case AM_MAX: return java_max(a, b);
        case AM_MIN: return java_min(a, b);
        case AM_POW: return java_pow(a, b);
        case AM_EQUAL: return a == b ? 1.0f : 0.0f;
        case AM_RELU_BACKWARD: return a > 0.0f ? b : 0.0f;
        default: return NAN;
    }
}

void amalgam_unary(int op, int64_t n, const float *x, float *out, int threads) {
#pragma omp parallel for num_threads(threads) if (n >= PARALLEL_MIN_ELEMENTS) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = unary_apply(op, x[i]);
}

void amalgam_affine(int64_t n, float scale, float shift, const float *x, float *out, int threads) {
#pragma omp parallel for num_threads(threads) if (n >= PARALLEL_MIN_ELEMENTS) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = (float) ((double) scale * x[i] + shift);
}

void amalgam_fill(int64_t n, float value, float *out, int threads) {
#pragma omp parallel for num_threads(threads) if (n >= PARALLEL_MIN_ELEMENTS) schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = value;
}

/*
 * Strided walks view the shape as rows of its last axis: row r's start in an operand is found by
 * decomposing r into the leading coordinates, so rows are independent and can be split across threads.
 */
static int64_t row_start(int rank, const int32_t *shape, const int64_t *strides, int64_t row) {
    int64_t offset = 0;
    for (int d = rank - 2; d >= 0; d--) {
        offset += (row % shape[d]) * strides[d];
        row /= shape[d];
    }
    return offset;
}

static int64_t leading_rows(int rank, const int32_t *shape) {
    int64_t rows = 1;
    for (int d = 0; d < rank - 1; d++) rows *= shape[d];
    return rows;
}

void amalgam_binary(int op, int rank, const int32_t *shape,
                    const float *a, int64_t a_origin, const int64_t *a_strides,
                    const float *b, int64_t b_origin, const int64_t *b_strides, float *out, int threads) {
    a += a_origin;
    b += b_origin;
    if (rank == 0) {
        out[0] = binary_apply(op, a[0], b[0]);
        return;
    }
    int64_t rows = leading_rows(rank, shape), cols = shape[rank - 1];
    int64_t sa = a_strides[rank - 1], sb = b_strides[rank - 1];
#pragma omp parallel for num_threads(threads) if (rows * cols >= PARALLEL_MIN_ELEMENTS) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        const float *ar = a + row_start(rank, shape, a_strides, r);
        const float *br = b + row_start(rank, shape, b_strides, r);
        float *o = out + r * cols;
        for (int64_t j = 0; j < cols; j++) o[j] = binary_apply(op, ar[j * sa], br[j * sb]);
    }
}

void amalgam_copy_strided(int rank, const int32_t *shape, const float *src, int64_t src_origin,
                          const int64_t *src_strides, float *dst, int threads) {
    src += src_origin;
    if (rank == 0) {
        dst[0] = src[0];
        return;
    }
    int64_t rows = leading_rows(rank, shape), cols = shape[rank - 1];
    int64_t s = src_strides[rank - 1];
#pragma omp parallel for num_threads(threads) if (rows * cols >= PARALLEL_MIN_ELEMENTS) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        const float *sr = src + row_start(rank, shape, src_strides, r);
        float *o = dst + r * cols;
        for (int64_t j = 0; j < cols; j++) o[j] = sr[j * s];
    }
}
