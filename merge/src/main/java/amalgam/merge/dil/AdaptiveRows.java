package amalgam.merge.dil;

import amalgam.merge.adaptive.CoefficientActivation;
import amalgam.merge.adaptive.CoefficientRecipe;

/**
 * One set of adaptive rows of the study: every learnable merge with coefficients learned by {@code recipe}, for
 * each b_max. The study runs the chosen recipe and, beside it, the same recipe with the other of the two
 * parameterisations the literature uses — sigmoid(c)·b (the poster's formula) and softmax over adapters (its
 * code) — so that the table answers which one to use.
 *
 * @param group the key of these rows in the JSON results: "adaptive" for the chosen recipe,
 *              "adaptive_ACTIVATION" for the comparison
 */
public record AdaptiveRows(String group, CoefficientRecipe recipe) {

    /** The chosen recipe's rows, then the comparison's. */
    static java.util.List<AdaptiveRows> of(CoefficientRecipe chosen) {
        CoefficientActivation other = chosen.activation() == CoefficientActivation.SOFTMAX
                ? CoefficientActivation.SIGMOID : CoefficientActivation.SOFTMAX;
        return java.util.List.of(new AdaptiveRows("adaptive", chosen),
                new AdaptiveRows("adaptive_" + other.cliName(), chosen.withActivation(other)));
    }

    /** Whether these are the chosen recipe's rows (traced per experience, repeated by the random-LoRA control). */
    public boolean chosen() {
        return group.equals("adaptive");
    }

    /** The row name in the tables, e.g. "ties (adaptive sigmoid, b_max)". */
    String rowName(String kind) {
        return kind + " (adaptive " + recipe.activation().cliName() + ", b_max)";
    }

    /** The curve label in the plots, e.g. "ties adaptive softmax b_max=3". */
    String curveLabel(String kind, int bMax) {
        return kind + " adaptive " + recipe.activation().cliName() + " b_max=" + bMax;
    }
}
