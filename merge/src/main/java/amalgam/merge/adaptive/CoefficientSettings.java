package amalgam.merge.adaptive;

/**
 * How coefficients are parameterised: activation, one weight per adapter or per adapter and module, the
 * largest scale b_max, whether β (and so b) is learned, and AdaMerging's [0, 1] clamp for activation none.
 */
public record CoefficientSettings(CoefficientActivation activation, Granularity granularity, double bMax,
                                  boolean learnScale, boolean clamp) {

    public CoefficientSettings {
        if (!(bMax >= 1)) throw new IllegalArgumentException("must be at least 1, got " + bMax);
    }

    /** The study's default: sigmoid, one weight per adapter, learned scale. */
    public static CoefficientSettings sigmoid(double bMax) {
        return CoefficientRecipe.study().settings(bMax);
    }
}
