package amalgam.merge.pipeline;

import amalgam.engine.InputException;
import amalgam.merge.algorithms.LegoReweighting;
import amalgam.merge.algorithms.MajoritySign;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.algorithms.MergeSettings;
import amalgam.merge.algorithms.Semantics;
import amalgam.engine.io.FileDType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code amalgam merge} will do, checked before any file is touched: every option in range, and none that
 * the chosen method would silently ignore (a {@code --density} given to {@code linear} is a mistake worth
 * telling, not a no-op). Each refusal is an {@link InputException} naming the option.
 *
 * @param weights  one per adapter, finite
 * @param rank     delta-space rank; null = the largest input rank of each module
 * @param clusters lego's K; null = the largest input rank of each module
 * @param svdClamp null = no clamp
 * @param dtype    output storage type; null = the inputs' type
 */
public record MergePlan(MergeMethod method, Space space, double[] weights, MergeSettings settings, Integer rank,
                 Integer clusters, LegoReweighting legoNorm, boolean legoOutputReweighting, Double svdClamp,
                 FileDType dtype) {

    /** Where the merge happens: see {@link amalgam.merge.algorithms.DeltaSpaceMerge} and FactorSpaceMerge. */
    enum Space { DELTA, FACTORS }

    static final String METHOD_NAMES = "linear, cat, svd, ties, dare_linear, dare_ties, magnitude_prune, "
            + "breadcrumbs, breadcrumbs_ties, della, della_linear, lego, or PEFT's ties_svd, dare_linear_svd, "
            + "dare_ties_svd, magnitude_prune_svd";

    private static final Set<MergeMethod> SPARSIFYING = EnumSet.of(MergeMethod.MAGNITUDE_PRUNE, MergeMethod.TIES,
            MergeMethod.DARE_LINEAR, MergeMethod.DARE_TIES, MergeMethod.BREADCRUMBS, MergeMethod.BREADCRUMBS_TIES,
            MergeMethod.DELLA, MergeMethod.DELLA_LINEAR);
    private static final Set<MergeMethod> ELECTING = EnumSet.of(MergeMethod.TIES, MergeMethod.DARE_TIES,
            MergeMethod.BREADCRUMBS_TIES, MergeMethod.DELLA);
    /** Methods whose result is not refactored by an SVD, so --rank and --svd-clamp mean nothing to them. */
    private static final Set<MergeMethod> WHOLE_UPDATE = EnumSet.of(MergeMethod.CAT, MergeMethod.LEGO);

    /** Validates {@code o} for merging {@code adapters} adapters. */
    public static MergePlan of(MergeOptions o, int adapters) {
        MergeMethod method = method(o.method);
        String name = method.cliName();
        Space space = choice("--space", o.space, Space.DELTA, Space.class);
        if (space == Space.FACTORS) {
            if (MergeMethod.isDeltaSpaceAlias(o.method)) {
                throw new InputException("--space", "factors conflicts with --method " + o.method + ", which is the "
                        + "delta-space form of " + name + "; use --method " + name + " --space factors");
            }
            if (WHOLE_UPDATE.contains(method) || method == MergeMethod.SVD) {
                throw new InputException("--space", "factors does not apply to " + name + ", which works on whole "
                        + "updates; drop --space");
            }
        }
        double[] weights = weights(o.weights, adapters);

        requireOnlyFor("--density", o.density, SPARSIFYING.contains(method), name);
        double density = o.density == null ? 1 : o.density;
        if (!(density >= 0 && density <= 1)) {
            throw new InputException("--density", "must be a number in [0, 1] (the fraction of entries kept), got "
                    + o.density);
        }
        requireOnlyFor("--majority-sign", o.majoritySign, ELECTING.contains(method), name);
        MajoritySign sign = choice("--majority-sign", o.majoritySign, MajoritySign.TOTAL, MajoritySign.class);
        Semantics semantics = choice("--semantics", o.semantics, Semantics.PEFT, Semantics.class);
        requireOnlyFor("--semantics", o.semantics, !WHOLE_UPDATE.contains(method), name);
        if (o.lambda != null && semantics != Semantics.MERGEKIT) {
            throw new InputException("--lambda", "only mergekit semantics has a final scale; add --semantics mergekit");
        }
        double lambda = finite("--lambda", o.lambda, 1);
        requireOnlyFor("--gamma", o.gamma, method == MergeMethod.BREADCRUMBS || method == MergeMethod.BREADCRUMBS_TIES,
                name);
        double gamma = finite("--gamma", o.gamma, 0.01);
        if (gamma < 0 || gamma > 1) throw new InputException("--gamma", "must be in [0, 1], got " + gamma);
        requireOnlyFor("--epsilon", o.epsilon, method == MergeMethod.DELLA || method == MergeMethod.DELLA_LINEAR, name);
        double epsilon = finite("--epsilon", o.epsilon, MergeSettings.defaults().epsilon());
        if (epsilon < 0) throw new InputException("--epsilon", "must be at least 0, got " + epsilon);

        boolean refactored = !WHOLE_UPDATE.contains(method) && space == Space.DELTA;
        requireOnlyFor("--rank", o.rank, refactored, name + (space == Space.FACTORS ? " in factor space" : ""));
        if (o.rank != null && o.rank < 1) throw new InputException("--rank", "must be at least 1, got " + o.rank);
        requireOnlyFor("--svd-clamp", o.svdClamp, refactored, name + (space == Space.FACTORS ? " in factor space" : ""));
        if (o.svdClamp != null && !(o.svdClamp > 0 && o.svdClamp <= 1)) {
            throw new InputException("--svd-clamp", "must be a quantile in (0, 1], got " + o.svdClamp);
        }
        boolean lego = method == MergeMethod.LEGO;
        requireOnlyFor("--clusters", o.clusters, lego, name);
        requireOnlyFor("--lego-norm", o.legoNorm, lego, name);
        requireOnlyFor("--no-lego-output-reweighting", o.noLegoOutputReweighting ? true : null, lego, name);
        if (o.clusters != null && o.clusters < 1) {
            throw new InputException("--clusters", "must be at least 1, got " + o.clusters);
        }
        LegoReweighting legoNorm = choice("--lego-norm", o.legoNorm, LegoReweighting.L2, LegoReweighting.class);
        FileDType dtype = o.dtype == null ? null : FileDType.fromOption(o.dtype).orElseThrow(
                () -> new InputException("--dtype", "unknown type '" + o.dtype + "'; expected f32, f16 or bf16"));

        MergeSettings settings = MergeSettings.defaults().withDensity(density).withMajoritySign(sign)
                .withSeed(o.seed == null ? 0 : o.seed).withGamma(gamma).withEpsilon(epsilon);
        if (semantics == Semantics.MERGEKIT) settings = settings.withMergekit(lambda);
        return new MergePlan(method, space, weights, settings, o.rank, o.clusters, legoNorm,
                !o.noLegoOutputReweighting, o.svdClamp, dtype);
    }

    /** The merged rank of a module whose adapters have {@code ranks}. */
    int outputRank(List<Integer> ranks) {
        int max = ranks.stream().mapToInt(Integer::intValue).max().orElseThrow();
        return switch (method) {
            case CAT -> ranks.stream().mapToInt(Integer::intValue).sum();
            case LEGO -> clusters == null ? max : clusters;
            default -> space == Space.FACTORS ? ranks.getFirst() : rank == null ? max : rank;
        };
    }

    /** Whether the output comes from a truncated SVD of the merged update (where a rank beyond min(out, in) adds nothing). */
    boolean truncatesBySvd() {
        return method != MergeMethod.CAT && method != MergeMethod.LEGO && space != Space.FACTORS;
    }

    /** One line for the summary: the method and the settings that shaped the result. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!WHOLE_UPDATE.contains(method)) parts.add(space.name().toLowerCase(Locale.ROOT) + " space");
        if (SPARSIFYING.contains(method)) parts.add("density " + settings.density());
        if (ELECTING.contains(method)) parts.add(settings.majoritySign().name().toLowerCase(Locale.ROOT) + " sign");
        if (settings.semantics() == Semantics.MERGEKIT) parts.add("mergekit semantics, lambda " + settings.lambda());
        if (method == MergeMethod.LEGO) parts.add("lego-norm " + legoNorm.name().toLowerCase(Locale.ROOT));
        if (svdClamp != null) parts.add("svd-clamp " + svdClamp);
        parts.add("weights " + Arrays.toString(weights).replace(" ", ""));
        return method.cliName() + " (" + String.join(", ", parts) + ")";
    }

    private static MergeMethod method(String name) {
        try {
            return MergeMethod.fromName(name);
        } catch (IllegalArgumentException e) {
            throw new InputException("--method", "unknown merge method '" + name + "'; expected one of "
                    + METHOD_NAMES);
        }
    }

    private static double[] weights(List<Double> given, int adapters) {
        if (given == null) {
            double[] ones = new double[adapters];
            Arrays.fill(ones, 1);
            return ones;
        }
        if (given.size() != adapters) {
            throw new InputException("--weights", given.size() + " weights for " + adapters + " adapters; give one "
                    + "per ADAPTER_DIR, in the same order (or none for 1 each)");
        }
        double[] weights = new double[adapters];
        for (int i = 0; i < adapters; i++) {
            weights[i] = given.get(i);
            if (!Double.isFinite(weights[i])) {
                throw new InputException("--weights", "weight " + (i + 1) + " is " + weights[i]
                        + "; weights must be finite numbers");
            }
        }
        return weights;
    }

    /** Refuses an option the method would ignore. */
    private static void requireOnlyFor(String option, Object value, boolean applies, String method) {
        if (value != null && !applies) {
            throw new InputException(option, "does not apply to " + method + "; see amalgam merge --help for which "
                    + "methods use it");
        }
    }

    private static double finite(String option, Double value, double fallback) {
        if (value == null) return fallback;
        if (!Double.isFinite(value)) throw new InputException(option, "must be a finite number, got " + value);
        return value;
    }

    /** An enum value from its lower-case name, or {@code fallback} when not given. */
    private static <E extends Enum<E>> E choice(String option, String value, E fallback, Class<E> type) {
        if (value == null) return fallback;
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.trim())) return e;
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        throw new InputException(option, "unknown value '" + value + "'; expected one of " + String.join(", ", names));
    }
}
