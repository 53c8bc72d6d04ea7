package amalgam.merge.algorithms;

/**
 * The options of a per-tensor merge, as the CLI spells them.
 *
 * @param density     fraction of entries kept (`--density`); 1 keeps all
 * @param majoritySign TIES sign election (`--majority-sign`)
 * @param semantics   PEFT (default) or mergekit conventions (`--semantics`)
 * @param lambda      mergekit's final scale (`--lambda`); ignored under PEFT semantics
 * @param seed        seed of DARE and DELLA masks (`--seed`)
 * @param gamma       breadcrumbs: fraction of largest-magnitude outliers dropped
 * @param epsilon     DELLA: half-width of the keep-probability band around d
 * @param normalize   mergekit: divide by the summed weights of agreeing entries; null = the method's default
 *                    (true for TIES and DELLA, false otherwise, as in mergekit)
 */
public record MergeSettings(double density, MajoritySign majoritySign, Semantics semantics, double lambda,
                            long seed, double gamma, double epsilon, Boolean normalize) {

    /** PEFT semantics, density 1, total sign election, seed 0, γ = 0.01, ε = 0.15 (mergekit's, whose method DELLA is). */
    public static MergeSettings defaults() {
        return new MergeSettings(1, MajoritySign.TOTAL, Semantics.PEFT, 1, 0, 0.01, 0.15, null);
    }

    public MergeSettings withDensity(double d) {
        return new MergeSettings(d, majoritySign, semantics, lambda, seed, gamma, epsilon, normalize);
    }

    public MergeSettings withMajoritySign(MajoritySign sign) {
        return new MergeSettings(density, sign, semantics, lambda, seed, gamma, epsilon, normalize);
    }

    /** Mergekit semantics with final scale λ. */
    public MergeSettings withMergekit(double lambda) {
        return new MergeSettings(density, majoritySign, Semantics.MERGEKIT, lambda, seed, gamma, epsilon, normalize);
    }

    public MergeSettings withSeed(long s) {
        return new MergeSettings(density, majoritySign, semantics, lambda, s, gamma, epsilon, normalize);
    }

    public MergeSettings withGamma(double g) {
        return new MergeSettings(density, majoritySign, semantics, lambda, seed, g, epsilon, normalize);
    }

    public MergeSettings withEpsilon(double e) {
        return new MergeSettings(density, majoritySign, semantics, lambda, seed, gamma, e, normalize);
    }

    public MergeSettings withNormalize(Boolean n) {
        return new MergeSettings(density, majoritySign, semantics, lambda, seed, gamma, epsilon, n);
    }
}
