package amalgam.kernels;

/** Elementwise functions of two fp32 arguments, with the scalar definition every backend must match. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN, POW,
    /** 1 where a == b, else 0 (used to route max-reduction gradients). */
    EQUAL,
    /** b where a &gt; 0, else 0: the ReLU backward, a = input, b = upstream gradient. */
    RELU_BACKWARD;

    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            // Math.max/min propagate NaN, as IEEE maximum/minimum do.
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> (float) Math.pow(a, b);
            case EQUAL -> a == b ? 1f : 0f;
            case RELU_BACKWARD -> a > 0f ? b : 0f;
        };
    }
}
