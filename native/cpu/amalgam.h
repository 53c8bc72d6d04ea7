/*
 * The C kernels behind the `native` backend (amalgam.kernels.ffm), called from Java through FFM.
 *
 * Conventions, shared with amalgam.kernels.Backend: fp32, row-major, lengths/strides/leading dimensions in
 * elements. The Java side adds element offsets to the base pointers and checks bounds before calling, so
 * every pointer here is already the first element of the operand (strided operands: see below). `threads` is the OpenMP team size;
 * kernels fall back to one thread when the work is too small to repay a fork.
 */
#ifndef AMALGAM_H
#define AMALGAM_H

#include <stdint.h>

#include "../include/amalgam_ops.h" /* the unary ops: their codes (enum amalgam_unary) and formulas */

/* Codes shared with OpCodes.java (mapped there from the Java enums by an exhaustive switch). */
enum amalgam_binary { AM_ADD, AM_SUB, AM_MUL, AM_DIV, AM_MAX, AM_MIN, AM_POW, AM_EQUAL, AM_RELU_BACKWARD };
enum amalgam_reduce { AM_SUM, AM_MAX_REDUCE, AM_MEAN };
enum amalgam_election { AM_ELECT_NONE, AM_ELECT_TOTAL, AM_ELECT_FREQUENCY };
enum amalgam_divisor { AM_DIVIDE_BY_ONE, AM_DIVIDE_BY_AGREEING_COUNT, AM_DIVIDE_BY_AGREEING_WEIGHT };

/* 0 when this CPU has every instruction set the library was compiled for, else a bit per missing level. */
int amalgam_cpu_missing_features(void);
/* The x86-64 level (3 or 4; 0 otherwise) this copy of the library was compiled for. */
int amalgam_built_for_level(void);

/* gemm.c: 0 on success, AMALGAM_OUT_OF_MEMORY when the packing buffers cannot be allocated. */
#define AMALGAM_OUT_OF_MEMORY 1
int amalgam_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float *a, int64_t lda, const float *b, int64_t ldb,
                   float beta, float *c, int64_t ldc, int threads);
int amalgam_sgemm_batched(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                           const float *a, int64_t lda, int64_t stride_a,
                           const float *b, int64_t ldb, int64_t stride_b,
                           float beta, float *c, int64_t ldc, int64_t stride_c, int64_t batch, int threads);

/* elementwise.c */
void amalgam_unary(int op, int64_t n, const float *x, float *out, int threads);
void amalgam_affine(int64_t n, float scale, float shift, const float *x, float *out, int threads);
/*
 * Strided operands: `origin` is the element, relative to the pointer, where coordinate (0, …, 0) lives.
 * Java passes the pointer to the lowest element any stride reaches, so negative strides need origin > 0.
 */
void amalgam_binary(int op, int rank, const int32_t *shape,
                    const float *a, int64_t a_origin, const int64_t *a_strides,
                    const float *b, int64_t b_origin, const int64_t *b_strides, float *out, int threads);
void amalgam_copy_strided(int rank, const int32_t *shape, const float *src, int64_t src_origin,
                          const int64_t *src_strides, float *dst, int threads);
void amalgam_fill(int64_t n, float value, float *out, int threads);

/* reduce.c */
void amalgam_reduce(int op, int32_t outer, int32_t axis, int32_t inner, const float *x, float *out, int threads);

/* rows.c */
void amalgam_softmax_rows(int32_t rows, int32_t cols, const float *x, float *out, int threads);
void amalgam_log_softmax_rows(int32_t rows, int32_t cols, const float *x, float *out, int threads);
void amalgam_softmax_backward_rows(int32_t rows, int32_t cols, const float *y, const float *dy, float *dx,
                                   int threads);
void amalgam_log_softmax_backward_rows(int32_t rows, int32_t cols, const float *y, const float *dy, float *dx,
                                       int threads);
void amalgam_layer_norm_rows(int32_t rows, int32_t cols, float eps, const float *x,
                             const float *gamma, const float *beta, float *y, float *mean, float *rstd,
                             int threads);
void amalgam_layer_norm_backward_rows(int32_t rows, int32_t cols, const float *x,
                                      const float *mean, const float *rstd, const float *gamma,
                                      const float *dy, float *dx, float *dgamma, float *dbeta, int threads);
void amalgam_rope_rows(int32_t rows, int32_t tokens, int32_t dim, const float *x, const float *cos,
                       const float *sin, float *out, int threads);
void amalgam_rms_norm_rows(int32_t rows, int32_t cols, float eps, const float *x, const float *weight, float *y,
                           float *rstd, int threads);
void amalgam_rms_norm_backward_rows(int32_t rows, int32_t cols, const float *x, const float *rstd,
                                    const float *weight, const float *dy, float *dx, float *dweight, int threads);

/* select.c */
float amalgam_kth_largest_abs(int64_t n, int64_t k, const float *x, int threads);

/*
 * merge.c: the merge sweeps of amalgam.kernels.MergeSweeps, bit-identical to ScalarMergeSweeps.
 * keep: 0 on success, AMALGAM_OUT_OF_MEMORY when the per-thread counts cannot be allocated; out may be x.
 * elected mean: `tensors` holds `count` pointers to n floats each; out may be one of them.
 */
int amalgam_keep_magnitude_ranks(int64_t n, const float *x, int64_t from_rank, int64_t to_rank, float *out,
                                 int threads);
void amalgam_elected_mean(int election, int weighted_votes, int divisor, double lambda, int count, int64_t n,
                          const float *const *tensors, const double *weights, float *out, int threads);

#endif
