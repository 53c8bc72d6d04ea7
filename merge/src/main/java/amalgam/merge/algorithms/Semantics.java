package amalgam.merge.algorithms;

/**
 * Whose conventions a merge follows where PEFT and mergekit differ (sign election, divisor, DARE rescale, λ).
 */
public enum Semantics {
    /** Unweighted sign election, divisor = number of agreeing entries, DARE rescale 1/d. The default. */
    PEFT,
    /** Weighted sign election, divisor Σ w over agreeing entries when normalising, DARE rescale to the L1 norm, final λ. */
    MERGEKIT
}
