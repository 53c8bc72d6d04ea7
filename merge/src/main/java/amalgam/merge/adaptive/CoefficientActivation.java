package amalgam.merge.adaptive;

import amalgam.engine.Tensor;

/**
 * How raw coefficients c become merge weights α ({@code --activation}). {@code b} is the scale tensor from
 * {@link Coefficients} (1 + (b_max − 1)·σ(β)); only sigmoid, softmax and tanh use it.
 */
public enum CoefficientActivation {
    /** α = σ(c)·b: each weight in (0, b), the study's choice. */
    SIGMOID("sigmoid", 0, "σ(c)·b"),
    /** α = softmax over adapters(c)·b: weights that share a budget b. */
    SOFTMAX("softmax", 0, "softmax over adapters(c)·b"),
    /** α = tanh(c)·b: weights in (−b, b), negation allowed. */
    TANH("tanh", 0, "tanh(c)·b"),
    /** α = c, AdaMerging's raw coefficients, starting at its prior 0.3 (clamped to [0, 1] with --clamp). */
    NONE("none", 0.3, "c"),
    /**
     * α = leaky_relu(c) with slope 0.01 below 0, starting at 0 (no adapter at all) as the LoRA-recycling study
     * does: adapters are switched on by the gradient, and one that hurts can go slightly negative.
     */
    LEAKY_RELU("leaky_relu", 0, "leaky_relu(c)");

    /** PyTorch's default negative slope for leaky_relu. */
    static final double LEAKY_SLOPE = 0.01;

    private final String cliName;
    private final double initial;
    private final String formula;

    CoefficientActivation(String cliName, double initial, String formula) {
        this.cliName = cliName;
        this.initial = initial;
        this.formula = formula;
    }

    public String cliName() {
        return cliName;
    }

    /** α as a function of c and b, as the study's report prints it. */
    public String formula() {
        return formula;
    }

    /** Whether α depends on b, and so on b_max and the scale; {@link #NONE} ignores both. */
    public boolean usesScale() {
        return this != NONE && this != LEAKY_RELU;
    }

    /** The starting value of every raw coefficient. */
    public double initialCoefficient() {
        return initial;
    }

    /** α [adapters, groups] from c [adapters, groups]; axis 0 runs over adapters. */
    public Tensor apply(Tensor c, Tensor b) {
        return switch (this) {
            case SIGMOID -> c.sigmoid().mul(b);
            case SOFTMAX -> c.softmax(0).mul(b);
            case TANH -> c.tanh().mul(b);
            case NONE -> c;
            // slope·c + (1 − slope)·relu(c): the gradient at exactly 0 is the slope, as PyTorch's leaky_relu
            // has it, so coefficients that start at 0 move (a relu-only form would hold them at 0).
            case LEAKY_RELU -> c.mul(LEAKY_SLOPE).add(c.relu().mul(1 - LEAKY_SLOPE));
        };
    }

    public static CoefficientActivation parse(String name) {
        for (CoefficientActivation a : values()) if (a.cliName.equals(name)) return a;
        throw new IllegalArgumentException("expected sigmoid, softmax, tanh, none or leaky_relu, got '" + name + "'");
    }
}
