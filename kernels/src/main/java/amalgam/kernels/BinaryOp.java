package amalgam.kernels;

/** Elementwise functions of two fp32 arguments, with the scalar definition every backend must match. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN, POW,
    /** 1 where a == b, else 0 (used to route max-reduction gradients). */
    EQUAL,
    /** b where a &gt; 0, else 0: the ReLU backward, a = input, b = upstream gradient. */
    RELU_BACKWARD;

    /**
     * The fp32 definition. Computing in double and rounding once gives the same bits as fp32 arithmetic for
     * + − × ÷ (double holds more than twice fp32's precision), so one definition serves both.
     */
    public float apply(float a, float b) {
        return (float) apply((double) a, (double) b);
    }

    /** The same definition in double, for references that store doubles (gradient checks). */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            // Math.max/min propagate NaN, as IEEE maximum/minimum do.
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> Math.pow(a, b);
            case EQUAL -> a == b ? 1.0 : 0.0;
            case RELU_BACKWARD -> a > 0.0 ? b : 0.0;
        };
    }
}
