package amalgam.merge.adaptive;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How coefficients are learned, all but b_max: what a study fixes once while it sweeps b_max. Each b_max then
 * gives one run's {@link CoefficientSettings}.
 *
 * @param learnScale whether β, and so b, is trained ({@code --scale learned}) or b is fixed
 * @param clamp AdaMerging's [0, 1] clamp; only activation none uses it
 */
public record CoefficientRecipe(CoefficientActivation activation, Granularity granularity, boolean learnScale,
                                boolean clamp, StandardObjective objective) {

    /** The study's default: sigmoid, one weight per adapter, learned scale, cross-entropy on the buffer. */
    public static CoefficientRecipe study() {
        return new CoefficientRecipe(CoefficientActivation.SIGMOID, Granularity.ADAPTER, true, false,
                StandardObjective.CROSS_ENTROPY);
    }

    /** This recipe with another activation; the clamp, which only activation none takes, is dropped. */
    public CoefficientRecipe withActivation(CoefficientActivation other) {
        return new CoefficientRecipe(other, granularity, learnScale, clamp && other == CoefficientActivation.NONE,
                objective);
    }

    public CoefficientSettings settings(double bMax) {
        return new CoefficientSettings(activation, granularity, bMax, learnScale, clamp);
    }

    /** The name of the scale setting on the command line and in the JSON results: learned or fixed. */
    public String scaleName() {
        return learnScale ? "learned" : "fixed";
    }

    /** The JSON form: the command-line names of each setting. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("activation", activation.cliName());
        m.put("granularity", granularity.cliName());
        m.put("scale", scaleName());
        m.put("clamp", clamp);
        m.put("objective", objective.cliName());
        return m;
    }

    /** One line for a table caption, e.g. "sigmoid, per adapter, learned scale, cross-entropy". */
    public String summary() {
        return activation.cliName() + ", per " + granularity.cliName() + ", " + scaleName() + " scale"
                + (clamp && !activation.usesScale() ? ", clamped to [0, 1]" : "")
                + ", " + objective.cliName();
    }

    /** The formula in words for the study's report; b_max is the value each adaptive column names. */
    public String description() {
        StringBuilder s = new StringBuilder("α = ").append(activation.formula());
        if (activation.usesScale()) {
            s.append(learnScale ? ", b = 1 + (b_max − 1)·σ(β), c and β learned" : ", b = 1 + (b_max − 1)·σ(b_max) fixed, c learned");
        } else {
            s.append(clamp ? " clamped to [0, 1] after each step" : "").append(" (b_max has no effect), c learned");
        }
        s.append(" by Adam through the merge, ");
        s.append(granularity == Granularity.ADAPTER ? "one c per adapter" : "one c per adapter and adapted module");
        s.append(objective == StandardObjective.CROSS_ENTROPY
                ? ", minimising cross-entropy on the buffer's labels."
                : ", minimising the mean entropy of the predictions on the buffer (labels unused).");
        return s.toString();
    }
}
