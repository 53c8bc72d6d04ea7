package amalgam.merge.pipeline;

import static amalgam.merge.algorithms.MethodParameter.CLUSTERS;
import static amalgam.merge.algorithms.MethodParameter.DENSITY;
import static amalgam.merge.algorithms.MethodParameter.EPSILON;
import static amalgam.merge.algorithms.MethodParameter.GAMMA;
import static amalgam.merge.algorithms.MethodParameter.LAMBDA;
import static amalgam.merge.algorithms.MethodParameter.LEGO_NORM;
import static amalgam.merge.algorithms.MethodParameter.LEGO_OUTPUT_REWEIGHTING;
import static amalgam.merge.algorithms.MethodParameter.MAJORITY_SIGN;
import static amalgam.merge.algorithms.MethodParameter.NORMALIZE;
import static amalgam.merge.algorithms.MethodParameter.RANK;
import static amalgam.merge.algorithms.MethodParameter.SEED;
import static amalgam.merge.algorithms.MethodParameter.SEMANTICS;
import static amalgam.merge.algorithms.MethodParameter.SPACE;
import static amalgam.merge.algorithms.MethodParameter.SVD_CLAMP;
import static amalgam.merge.algorithms.MethodParameter.WEIGHT;

import amalgam.engine.InputException;
import amalgam.merge.algorithms.MethodParameter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options that say how {@code amalgam merge} combines adapters, as typed. Values the user did not give are
 * null so that {@link MergePlan} can tell "not given" from a default and refuse options the method ignores.
 * Callers other than the command line (train-coefficients) fill the same fields. Which methods take which option
 * is not decided here but by each method's declaration ({@link amalgam.merge.algorithms.MergeMethod}).
 */
public final class MergeOptions {

    @Option(names = {"-m", "--method"}, paramLabel = "METHOD", order = 1,
            description = "The merge method: one of those listed above, with the parameters listed under it.")
    public String method;

    @Option(names = {"-w", "--weights"}, split = ",", splitSynopsisLabel = ",", paramLabel = "W", order = 2,
            description = "One weight per adapter, in the order given (default: 1 for every adapter). Negative "
                    + "weights subtract an adapter (task negation), e.g. --weights -1,1.")
    public List<Double> weights;

    @Option(names = {"-d", "--density"}, split = ",", splitSynopsisLabel = ",", paramLabel = "D", order = 3,
            description = "Fraction of entries kept, in [0, 1], by the methods that sparsify (default: 1, keep all; "
                    + "the TIES paper uses 0.2): one for every adapter, or one per adapter in the order given.")
    public List<Double> density;

    @Option(names = "--majority-sign", paramLabel = "total|frequency", order = 4,
            description = "How the TIES-style methods elect each entry's sign: total = sign of the sum of values "
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

    @Option(names = "--normalize", negatable = true, order = 8,
            description = "mergekit's normalize: divide by the sum of the weights (a weighted average). For the "
                    + "TIES-style methods under --semantics mergekit, the sum of the agreeing entries' weights "
                    + "(their default there); PEFT's TIES divides by the number of agreeing entries instead.")
    public Boolean normalize;

    @Option(names = "--seed", paramLabel = "S", order = 9,
            description = "Seed of the random DARE/DELLA masks, the randomized SVD of dense merges and lego's "
                    + "k-means++ (default: 0). "
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

    /**
     * These options as a request for {@code adapters} adapters: {@code --weights} (and a list of densities) give one
     * value per adapter, every other option one value for the whole merge.
     */
    public MergeRequest request(int adapters) {
        Map<MethodParameter, ParameterValue> global = globalValues();
        List<Map<MethodParameter, ParameterValue>> perAdapter = new ArrayList<>();
        for (int i = 0; i < adapters; i++) perAdapter.add(new EnumMap<>(MethodParameter.class));
        if (weights != null) perAdapterValues(WEIGHT, weights, adapters, perAdapter, "weights");
        if (density != null && density.size() != 1) perAdapterValues(DENSITY, density, adapters, perAdapter, "densities");
        return new MergeRequest(MergeRequest.Source.FLAGS, method, "--method", global, perAdapter, dtype, "--dtype");
    }

    /** The option names given, for refusing them beside a config file that says it all. */
    public List<String> given() {
        List<String> given = new ArrayList<>();
        if (method != null) given.add("--method");
        if (weights != null) given.add(WEIGHT.option());
        if (density != null && density.size() != 1) given.add(DENSITY.option());
        globalValues().keySet().forEach(p -> given.add(p.option()));
        if (dtype != null) given.add("--dtype");
        return given;
    }

    private Map<MethodParameter, ParameterValue> globalValues() {
        Map<MethodParameter, ParameterValue> global = new EnumMap<>(MethodParameter.class);
        if (density != null && density.size() == 1) put(global, DENSITY, density.getFirst());
        put(global, MAJORITY_SIGN, majoritySign);
        put(global, RANK, rank == null ? null : rank.longValue());
        put(global, SPACE, space);
        put(global, SEMANTICS, semantics);
        put(global, LAMBDA, lambda);
        put(global, NORMALIZE, normalize);
        put(global, SEED, seed);
        put(global, GAMMA, gamma);
        put(global, EPSILON, epsilon);
        put(global, CLUSTERS, clusters == null ? null : clusters.longValue());
        put(global, LEGO_NORM, legoNorm);
        put(global, LEGO_OUTPUT_REWEIGHTING, noLegoOutputReweighting ? false : null);
        put(global, SVD_CLAMP, svdClamp);
        return global;
    }

    private static void put(Map<MethodParameter, ParameterValue> map, MethodParameter p, Object value) {
        if (value != null) map.put(p, ParameterValue.of(value, p.option()));
    }

    private static void perAdapterValues(MethodParameter p, List<Double> values, int adapters,
                                         List<Map<MethodParameter, ParameterValue>> perAdapter, String plural) {
        if (values.size() != adapters) {
            throw new InputException(p.option(), values.size() + " " + plural + " for " + adapters + " adapters; give "
                    + "one per ADAPTER_DIR, in the same order" + (p == WEIGHT ? " (or none for 1 each)" : " (or one for all)"));
        }
        for (int i = 0; i < adapters; i++) {
            perAdapter.get(i).put(p, ParameterValue.of(values.get(i), p.option()));
        }
    }
}
