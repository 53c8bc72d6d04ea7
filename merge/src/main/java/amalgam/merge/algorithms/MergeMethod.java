package amalgam.merge.algorithms;

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

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * The merge methods, each with the one declaration of the parameters it takes: what validation accepts, what the
 * help lists and what a config file may set. Task-arithmetic methods give a {@link TensorMerge}; {@code cat},
 * {@code svd} and {@code lego} act on whole low-rank updates ({@link Concatenation}, {@link DeltaSpaceMerge#svd},
 * {@link LoraLego}). PEFT's {@code *_svd} names are accepted as delta-space aliases, mergekit's
 * {@code task_arithmetic} as {@code linear}.
 */
public enum MergeMethod {
    LINEAR("sum of w_i * dW_i (task arithmetic), refactored to the rank", List.of("task_arithmetic"),
            WEIGHT, NORMALIZE, SEMANTICS, LAMBDA, SPACE, RANK, SVD_CLAMP),
    CAT("the exact sum: stacks the adapters' rank slices, so the rank is the sum of their ranks", List.of(),
            WEIGHT, NORMALIZE),
    SVD("the same as linear, named as PEFT names it", List.of(),
            WEIGHT, NORMALIZE, SEMANTICS, LAMBDA, RANK, SVD_CLAMP),
    TIES("magnitude prune, elect a sign per entry, average the agreeing", List.of(),
            WEIGHT, DENSITY, MAJORITY_SIGN, NORMALIZE, SEMANTICS, LAMBDA, SEED, SPACE, RANK, SVD_CLAMP),
    DARE_LINEAR("keep entries at random with probability d, rescale by 1/d, sum", List.of(),
            WEIGHT, DENSITY, NORMALIZE, SEMANTICS, LAMBDA, SEED, SPACE, RANK, SVD_CLAMP),
    DARE_TIES("DARE, then TIES's sign election and disjoint mean", List.of(),
            WEIGHT, DENSITY, MAJORITY_SIGN, NORMALIZE, SEMANTICS, LAMBDA, SEED, SPACE, RANK, SVD_CLAMP),
    MAGNITUDE_PRUNE("keep each update's top d fraction by magnitude, then sum", List.of(),
            WEIGHT, DENSITY, NORMALIZE, SEMANTICS, LAMBDA, SEED, SPACE, RANK, SVD_CLAMP),
    BREADCRUMBS("drop the largest gamma fraction and the smallest entries, keep d, sum", List.of(),
            WEIGHT, DENSITY, GAMMA, NORMALIZE, SEMANTICS, LAMBDA, SEED, SPACE, RANK, SVD_CLAMP),
    BREADCRUMBS_TIES("breadcrumbs, then TIES's sign election", List.of(),
            WEIGHT, DENSITY, MAJORITY_SIGN, GAMMA, NORMALIZE, SEMANTICS, LAMBDA, SEED, SPACE, RANK, SVD_CLAMP),
    DELLA("random keep probabilities around d ranked by magnitude, then TIES's election and mean", List.of(),
            WEIGHT, DENSITY, MAJORITY_SIGN, EPSILON, NORMALIZE, SEMANTICS, LAMBDA, SEED, SPACE, RANK, SVD_CLAMP),
    DELLA_LINEAR("della's sampling without the election, summed", List.of(),
            WEIGHT, DENSITY, EPSILON, NORMALIZE, SEMANTICS, LAMBDA, SEED, SPACE, RANK, SVD_CLAMP),
    SCE("keep the entries that vary most across adapters, weigh adapters by energy, elect signs, average",
            List.of(), DENSITY, SEED, RANK, SVD_CLAMP),
    LEGO("cluster all rank slices into the given number of clusters (LoRA-LEGO)", List.of(),
            WEIGHT, NORMALIZE, SEED, CLUSTERS, LEGO_NORM, LEGO_OUTPUT_REWEIGHTING);

    /** PEFT's names for "merge the deltas, then truncated SVD", which mean the method without _svd here. */
    public static final List<String> PEFT_SVD_NAMES = List.of("ties_svd", "dare_linear_svd", "dare_ties_svd",
            "magnitude_prune_svd");

    private final String summary;
    private final List<String> aliases;
    private final Set<MethodParameter> parameters;

    MergeMethod(String summary, List<String> aliases, MethodParameter... parameters) {
        this.summary = summary;
        this.aliases = aliases;
        this.parameters = EnumSet.copyOf(Arrays.asList(parameters));
    }

    /** The method for a name: its own, an alias, or PEFT's {@code ties_svd}-style form (case-insensitive). */
    public static MergeMethod fromName(String name) {
        String key = canonical(name);
        boolean svdAlias = isDeltaSpaceAlias(key);
        String base = svdAlias ? key.substring(0, key.length() - "_svd".length()) : key;
        for (MergeMethod m : values()) {
            // Only merges of dense deltas have an "_svd" form: the methods that can also run in factor space.
            if ((m.cliName().equals(base) || m.aliases.contains(base)) && (!svdAlias || m.takes(SPACE))) return m;
        }
        throw new IllegalArgumentException("unknown merge method '" + name + "'; expected one of " + names());
    }

    /** Every accepted name, for messages and the help. */
    public static String names() {
        String own = Arrays.stream(values()).map(MergeMethod::cliName).collect(Collectors.joining(", "));
        String aliases = Arrays.stream(values()).flatMap(m -> m.aliases.stream().map(a -> a + " (= " + m.cliName() + ")"))
                .collect(Collectors.joining(", "));
        return own + "; also " + aliases + " and PEFT's " + String.join(", ", PEFT_SVD_NAMES)
                + " (the method in the delta space)";
    }

    /** True for PEFT's names that mean "merge the deltas, then truncated SVD" (ties_svd, dare_linear_svd, …). */
    public static boolean isDeltaSpaceAlias(String name) {
        String key = canonical(name);
        return key.endsWith("_svd") && !key.equals("svd");
    }

    private static String canonical(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** One line for the help. */
    public String summary() {
        return summary;
    }

    public List<String> aliases() {
        return aliases;
    }

    /** The parameters this method takes, in declaration order of {@link MethodParameter}. */
    public Set<MethodParameter> parameters() {
        return parameters;
    }

    public boolean takes(MethodParameter p) {
        return parameters.contains(p);
    }

    /**
     * Whether {@code train-coefficients} can learn this method's weights by gradient: task arithmetic, TIES and
     * DARE-TIES, whose merged update is linear in the weights once the masks and the sign election are fixed
     * from the unweighted updates (PEFT semantics).
     */
    public boolean isLearnable() {
        return this == LINEAR || this == TIES || this == DARE_TIES;
    }

    /** The learnable methods, in the order the studies report them. */
    public static List<MergeMethod> learnable() {
        return Arrays.stream(values()).filter(MergeMethod::isLearnable).toList();
    }

    /** A learnable method by name ({@code task_arithmetic}, {@code ties}, {@code dare_ties}, or an alias). */
    public static MergeMethod learnableFromName(String name) {
        String expected = "expected " + learnable().stream().map(MergeMethod::reportName)
                .collect(Collectors.joining(", ")) + ", got '" + name + "'";
        MergeMethod method;
        try {
            method = fromName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(expected);
        }
        if (!method.isLearnable() || isDeltaSpaceAlias(name)) throw new IllegalArgumentException(expected);
        return method;
    }

    /**
     * The name results report the method under: mergekit's {@code task_arithmetic} for linear, the name the
     * adaptive-merging papers use for a weighted sum; every other method's own.
     */
    public String reportName() {
        return this == LINEAR ? "task_arithmetic" : cliName();
    }

    /** Whether {@link #tensorMerge} applies (every method but cat and lego). */
    public boolean isTensorMerge() {
        return this != CAT && this != LEGO;
    }

    /** Whether a sign is elected per entry (TIES-style), so the divisor counts agreeing entries. */
    public boolean elects() {
        return takes(MAJORITY_SIGN);
    }

    /** The per-tensor merge of this method; {@code svd} merges like {@code linear} before its refactoring. */
    public TensorMerge tensorMerge(ComputeContext ctx, MergeSettings s) {
        return tensorMerge(ctx, s, null);
    }

    /**
     * The per-tensor merge with adapter i's entries kept at density {@code densities[i]} (null: the settings'
     * density for every adapter), as mergekit's per-model density does.
     */
    public TensorMerge tensorMerge(ComputeContext ctx, MergeSettings s, double[] densities) {
        // SCE selects entries across the adapters at once, so it has one density per module (MergePlan checks).
        if (this == SCE) return new SceMerge(ctx, densities == null ? s.density() : densities[0]);
        KeepMask seeded = KeepMask.seeded(s.seed());
        DoubleFunction<Sparsifier> sparsifier = switch (this) {
            case LINEAR, SVD -> d -> Sparsifier.NONE;
            case MAGNITUDE_PRUNE, TIES -> d -> MagnitudeSparsifier.topDensity(ctx, d);
            case DARE_LINEAR, DARE_TIES -> d -> new DareSparsifier(ctx, d, s.semantics(), seeded);
            case BREADCRUMBS, BREADCRUMBS_TIES -> d -> MagnitudeSparsifier.breadcrumbs(ctx, d, s.gamma());
            case DELLA, DELLA_LINEAR -> d -> new DellaSparsifier(ctx, d, s.epsilon(), s.semantics(), seeded);
            case CAT, LEGO, SCE -> throw new IllegalArgumentException(
                    "--method " + cliName() + ": merges whole low-rank updates, not single tensors");
        };
        Sparsifier chosen = densities == null ? sparsifier.apply(s.density())
                : PerAdapterSparsifier.of(densities, sparsifier);
        // As in mergekit, TIES and DELLA normalise by default under its semantics; the others sum.
        boolean normalize = s.normalize() == null ? (this == TIES || this == DELLA) : s.normalize();
        return new GeneralizedTaskArithmetic(ctx, chosen, elects() ? s.majoritySign() : null, s.semantics(),
                normalize, s.lambda());
    }
}
