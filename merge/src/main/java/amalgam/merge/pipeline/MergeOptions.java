package amalgam.merge.pipeline;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that say how {@code amalgam merge} combines adapters, as typed. Values the user did not give are
 * null so that {@link MergePlan} can tell "not given" from a default and refuse options the method ignores.
 * Callers other than the command line (train-coefficients) fill the same fields.
 */
public final class MergeOptions {

    @Option(names = {"-m", "--method"}, required = true, paramLabel = "METHOD", order = 1,
            description = "linear, cat, svd, ties, dare_linear, dare_ties, magnitude_prune, breadcrumbs, della, lego "
                    + "(and breadcrumbs_ties, della_linear); PEFT's ties_svd, dare_linear_svd, dare_ties_svd, "
                    + "magnitude_prune_svd are accepted as their delta-space names.")
    public String method;

    @Option(names = {"-w", "--weights"}, split = ",", splitSynopsisLabel = ",", paramLabel = "W", order = 2,
            description = "One weight per adapter, in the order given (default: 1 for every adapter). Negative "
                    + "weights subtract an adapter (task negation), e.g. --weights -1,1.")
    public List<Double> weights;

    @Option(names = {"-d", "--density"}, paramLabel = "D", order = 3,
            description = "Fraction of entries kept, in [0, 1], by ties, dare_*, magnitude_prune, breadcrumbs and "
                    + "della (default: 1, keep all; the TIES paper uses 0.2).")
    public Double density;

    @Option(names = "--majority-sign", paramLabel = "total|frequency", order = 4,
            description = "How ties, dare_ties and della elect each entry's sign: total = sign of the sum of values "
                    + "(default), frequency = sign of the sum of signs.")
    public String majoritySign;

    @Option(names = {"-r", "--rank"}, paramLabel = "R", order = 5,
            description = "Rank of the merged LoRA in the delta space (default: the largest input rank of each "
                    + "module). cat's rank is the sum of ranks, lego's is --clusters, factor space keeps the rank.")
    public Integer rank;

    @Option(names = "--space", paramLabel = "delta|factors", order = 6,
            description = "delta (default): merge the updates scale*B*A, then truncated SVD to rank R. factors: "
                    + "PEFT's factor-wise merge of the A and B stacks separately (equal ranks; adds cross terms).")
    public String space;

    @Option(names = "--semantics", paramLabel = "peft|mergekit", order = 7,
            description = "peft (default): unweighted sign election, divide by the number of agreeing adapters, "
                    + "DARE rescales by 1/d. mergekit: weighted election, divide by the agreeing weights (ties, "
                    + "della), DARE rescales to the L1 norm, final --lambda.")
    public String semantics;

    @Option(names = "--lambda", paramLabel = "X", order = 8,
            description = "mergekit's final scale of the merged update (default: 1). Needs --semantics mergekit.")
    public Double lambda;

    @Option(names = "--seed", paramLabel = "S", order = 9,
            description = "Seed of the random DARE/DELLA masks, randomized SVD and lego's k-means++ (default: 0). "
                    + "The same seed gives the same output.")
    public Long seed;

    @Option(names = "--gamma", paramLabel = "G", order = 10,
            description = "breadcrumbs: fraction of the largest-magnitude entries dropped as outliers (default: 0.01).")
    public Double gamma;

    @Option(names = "--epsilon", paramLabel = "E", order = 11,
            description = "della: keep probabilities spread over [d - E, d + E] by magnitude rank (default: 0.15, as mergekit).")
    public Double epsilon;

    @Option(names = {"-k", "--clusters"}, paramLabel = "K", order = 12,
            description = "lego: number of clusters, which is the merged rank (default: the largest input rank).")
    public Integer clusters;

    @Option(names = "--lego-norm", paramLabel = "l2|linf|none", order = 13,
            description = "lego parameter reweighting: rescale each centroid to its members' mean l2 norm "
                    + "(default) or mean largest entry (linf), or not at all (none).")
    public String legoNorm;

    @Option(names = "--no-lego-output-reweighting", order = 14,
            description = "lego: do not multiply the merged update by sqrt(r/K).")
    public boolean noLegoOutputReweighting;

    @Option(names = "--svd-clamp", paramLabel = "Q", order = 15,
            description = "After the SVD, clamp A and B entries to the Q-quantile of their values, Q in (0, 1] "
                    + "(PEFT/kohya's outlier guard; default: no clamp). Delta space only.")
    public Double svdClamp;

    @Option(names = "--dtype", paramLabel = "f32|f16|bf16", order = 16,
            description = "Storage type of the merged factors (default: the inputs' type when they all agree, "
                    + "else f32). Computation is always fp32.")
    public String dtype;
}
