/*
 * Elementwise kernels; the unary formulas are shared with CUDA in native/include/amalgam_ops.h. Each function
 * is computed the way its Java reference is (UnaryOp, BinaryOp.apply, ScalarBackend): in double, rounded
 * once to float, and with the Java rules for NaN, signed zero and pow's special cases, so results match the
 * scalar backend to the last bit or close to it. The library is built without -ffast-math and with
 * -ffp-contract=off for the same reason.
 */
#include "amalgam.h"

#include <math.h>

/* Below this many elements a parallel fork costs more than it saves. */
#define PARALLEL_MIN_ELEMENTS (1 << 16)

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
    for (int64_t i = 0; i < n; i++) out[i] = am_unary(op, x[i]);
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
