/*
 * The elementwise ops of amalgam.kernels.UnaryOp, written once for the C kernels (native/cpu) and the CUDA
 * kernels (native/cuda). AMALGAM_UNARY_OPS is the list of op codes: an op's code is its place in the list,
 * which is also its place in the Java enum (OpCodesTest reads this file and checks that they agree).
 *
 * To add an op: one line in the list and one function below, then the constant in UnaryOp.java.
 *
 * Each function is computed the way its Java reference (UnaryOp) is: in double, rounded once to float by
 * am_unary, with Java's rules for NaN and signed zero, so every backend agrees with the scalar one to about
 * an ulp. Formulas are chosen for relative accuracy where the obvious one cancels: GELU, SiLU and their
 * derivatives go through erfc and the logistic function rather than 1 + erf or 1 + tanh.
 */
#ifndef AMALGAM_OPS_H
#define AMALGAM_OPS_H

#include <math.h>

#ifdef __CUDACC__
#define AM_OP __host__ __device__ __forceinline__
#else
#define AM_OP static inline
#endif

/* X(NAME, function): the enum constant AM_NAME, computed by function(double). */
#define AMALGAM_UNARY_OPS(X)                                                                             \
    X(IDENTITY, am_identity) X(NEG, am_neg) X(ABS, am_abs) X(SIGN, am_sign) X(SQUARE, am_square)         \
    X(SQRT, am_sqrt) X(RECIPROCAL, am_reciprocal) X(EXP, am_exp) X(LOG, am_log) X(TANH, am_tanh)         \
    X(SIGMOID, am_logistic) X(RELU, am_relu) X(GELU_ERF, am_gelu_erf) X(GELU_TANH, am_gelu_tanh)         \
    X(GELU_ERF_DERIVATIVE, am_gelu_erf_derivative) X(GELU_TANH_DERIVATIVE, am_gelu_tanh_derivative)     \
    X(SILU, am_silu) X(SILU_DERIVATIVE, am_silu_derivative)

#define AM_UNARY_ENUM(NAME, function) AM_##NAME,
enum amalgam_unary { AMALGAM_UNARY_OPS(AM_UNARY_ENUM) AM_UNARY_COUNT };
#undef AM_UNARY_ENUM

#define AM_SQRT_2_OVER_PI 0.79788456080286535588
#define AM_INV_SQRT_2 0.70710678118654752440
#define AM_INV_SQRT_2PI 0.39894228040143267794
#define AM_GELU_CUBIC 0.044715

AM_OP double am_identity(double v) { return v; }
AM_OP double am_neg(double v) { return -v; }
AM_OP double am_abs(double v) { return fabs(v); }
/* ±0 and NaN map to themselves, as Math.signum does. */
AM_OP double am_sign(double v) { return v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : v; }
AM_OP double am_square(double v) { return v * v; }
AM_OP double am_sqrt(double v) { return sqrt(v); }
AM_OP double am_reciprocal(double v) { return 1.0 / v; }
AM_OP double am_exp(double v) { return exp(v); }
AM_OP double am_log(double v) { return log(v); }
AM_OP double am_tanh(double v) { return tanh(v); }
/* NaN stays NaN and −0 becomes +0, as Math.max(v, 0.0) does. */
AM_OP double am_relu(double v) { return v > 0.0 ? v : (v != v ? v : 0.0); }

/* 1/(1 + e^−v) from e^−|v|, so that neither tail overflows or loses relative accuracy. */
AM_OP double am_logistic(double v) {
    double e = exp(-fabs(v));
    return v >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

AM_OP double am_gelu_erf(double v) { return 0.5 * v * erfc(-v * AM_INV_SQRT_2); }

AM_OP double am_gelu_erf_derivative(double v) {
    return 0.5 * erfc(-v * AM_INV_SQRT_2) + v * AM_INV_SQRT_2PI * exp(-0.5 * v * v);
}

/* √(2/π)·(x + 0.044715·x³), the argument of GELU's tanh. */
AM_OP double am_gelu_tanh_inner(double v) { return AM_SQRT_2_OVER_PI * (v + AM_GELU_CUBIC * v * v * v); }

AM_OP double am_gelu_tanh(double v) { return v * am_logistic(2.0 * am_gelu_tanh_inner(v)); }

AM_OP double am_gelu_tanh_derivative(double v) {
    /* With s = σ(2u): 0.5·(1 + tanh u) = s and 1 − tanh²u = 4·s·(1 − s). */
    double two_u = 2.0 * am_gelu_tanh_inner(v);
    double s = am_logistic(two_u), one_minus_s = am_logistic(-two_u);
    return s + 2.0 * v * s * one_minus_s * AM_SQRT_2_OVER_PI * (1.0 + 3.0 * AM_GELU_CUBIC * v * v);
}

/* x·σ(x), Llama's activation. */
AM_OP double am_silu(double v) { return v * am_logistic(v); }

/* σ(x)·(1 + x·(1 − σ(x))), with 1 − σ(x) = σ(−x) so that it does not cancel for large x. */
AM_OP double am_silu_derivative(double v) { return am_logistic(v) * (1.0 + v * am_logistic(-v)); }

/* op(x) rounded once to float; NaN for a code outside the list rather than a plausible number. */
AM_OP float am_unary(int op, float x) {
    double v = x;
    switch (op) {
#define AM_UNARY_CASE(NAME, function) case AM_##NAME: return (float) function(v);
        AMALGAM_UNARY_OPS(AM_UNARY_CASE)
#undef AM_UNARY_CASE
        default: return (float) NAN;
    }
}

#endif
