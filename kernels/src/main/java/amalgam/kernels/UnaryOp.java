package amalgam.kernels;

/**
 * Elementwise functions of one fp32 argument. Each has a scalar definition in {@link #apply(float)}, the
 * reference for every backend; the C and CUDA kernels compute the same formulas from
 * native/include/amalgam_ops.h, whose list of ops is in the order of this enum (the kernels' op codes are
 * the ordinals; OpCodesTest checks the two lists agree). A Vector API form in cpu.UnaryLoops is optional.
 */
public enum UnaryOp {
    IDENTITY, NEG, ABS, SIGN, SQUARE, SQRT, RECIPROCAL, EXP, LOG, TANH, SIGMOID, RELU,
    /** GELU with the exact erf: x·Φ(x). */
    GELU_ERF,
    /** GELU's tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    GELU_TANH,
    /** d/dx of GELU_ERF, for backward passes. */
    GELU_ERF_DERIVATIVE,
    /** d/dx of GELU_TANH, for backward passes. */
    GELU_TANH_DERIVATIVE,
    /** x·σ(x), Llama's activation (SiLU, swish). */
    SILU,
    /** d/dx of SILU: σ(x)·(1 + x·(1 − σ(x))). */
    SILU_DERIVATIVE;

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    /** The reference definition every backend is tested against (computed in double, rounded once). */
    public float apply(float x) {
        return (float) apply((double) x);
    }

    /** The same definition in double, for references that store doubles (gradient checks). */
    public double apply(double v) {
        return switch (this) {
            case IDENTITY -> v;
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case SIGN -> Double.isNaN(v) ? v : Math.signum(v);
            case SQUARE -> v * v;
            case SQRT -> Math.sqrt(v);
            case RECIPROCAL -> 1.0 / v;
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case TANH -> Math.tanh(v);
            case SIGMOID -> logistic(v);
            case RELU -> Double.isNaN(v) ? v : Math.max(v, 0.0);
            // Through erfc and the logistic function rather than 1 + erf or 1 + tanh, which cancel for x ≪ 0.
            case GELU_ERF -> 0.5 * v * Erf.erfc(-v * INV_SQRT_2);
            case GELU_TANH -> v * logistic(2 * geluTanhInner(v));
            case GELU_ERF_DERIVATIVE -> 0.5 * Erf.erfc(-v * INV_SQRT_2) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            case GELU_TANH_DERIVATIVE -> {
                // With s = σ(2u): 0.5(1 + tanh u) = s and 1 − tanh²u = 4s(1 − s).
                double twoU = 2 * geluTanhInner(v);
                double s = logistic(twoU), oneMinusS = logistic(-twoU);
                yield s + 2 * v * s * oneMinusS * SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * v * v);
            }
            case SILU -> v * logistic(v);
            // 1 − σ(x) as σ(−x), which does not cancel for large x.
            case SILU_DERIVATIVE -> logistic(v) * (1.0 + v * logistic(-v));
        };
    }

    /** √(2/π)·(x + 0.044715·x³), the argument of GELU's tanh. */
    private static double geluTanhInner(double v) {
        return SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
    }

    /** 1/(1 + e^−v) from e^−|v|, so that neither tail overflows or loses relative accuracy. */
    private static double logistic(double v) {
        double e = Math.exp(-Math.abs(v));
        return v >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }
}
