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
import amalgam.engine.io.FileDType;
import amalgam.merge.algorithms.LegoReweighting;
import amalgam.merge.algorithms.MajoritySign;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.algorithms.MergeSettings;
import amalgam.merge.algorithms.MethodParameter;
import amalgam.merge.algorithms.Semantics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code amalgam merge} will do, checked before any file is touched: every parameter one the method
 * declares ({@link MergeMethod#parameters}) and in range — a {@code --density} given to {@code linear} is a
 * mistake worth telling, not a no-op — and the few rules between parameters. Each refusal is an
 * {@link InputException} naming the option, or the config file, line and key, where the value was given.
 *
 * @param values   the validated values as given, which resolve each module's weights and densities
 * @param rank     delta-space rank; null = the largest input rank of each module
 * @param clusters lego's K; null = the largest input rank of each module
 * @param svdClamp null = no clamp
 * @param dtype    output storage type; null = the inputs' type
 */
public record MergePlan(MergeMethod method, Space space, ParameterValues values, MergeSettings settings,
                        Integer rank, Integer clusters, LegoReweighting legoNorm, boolean legoOutputReweighting,
                        Double svdClamp, FileDType dtype) {

    /** Where the merge happens: see {@link amalgam.merge.algorithms.DeltaSpaceMerge} and FactorSpaceMerge. */
    enum Space { DELTA, FACTORS }

    /** Validates {@code o} for merging {@code adapters} adapters. */
    public static MergePlan of(MergeOptions o, int adapters) {
        return of(o.request(adapters));
    }

    /** Validates a request from the command line or a config file. */
    public static MergePlan of(MergeRequest request) {
        MergeMethod method = method(request);
        Map<MethodParameter, ParameterValue> global = typed(request, method, request.parameters(), -1);
        List<Map<MethodParameter, ParameterValue>> perAdapter = new ArrayList<>();
        for (int i = 0; i < request.adapters(); i++) {
            perAdapter.add(typed(request, method, request.adapterParameters().get(i), i));
        }
        ParameterValues values = new ParameterValues(global, perAdapter);
        String name = method.cliName();

        Space space = Space.valueOf(upper(values.scalar(SPACE)));
        if (space == Space.FACTORS && MergeMethod.isDeltaSpaceAlias(request.method())) {
            throw new InputException(values.where(SPACE), "factors conflicts with --method " + request.method()
                    + ", which is the delta-space form of " + name + "; use --method " + name + " --space factors");
        }
        Semantics semantics = Semantics.valueOf(upper(values.scalar(SEMANTICS)));
        if (values.given(LAMBDA) && semantics != Semantics.MERGEKIT) {
            throw new InputException(values.where(LAMBDA), "only mergekit semantics has a final scale; add "
                    + request.spell(SEMANTICS, "mergekit"));
        }
        if (values.given(NORMALIZE) && method.elects() && semantics != Semantics.MERGEKIT) {
            throw new InputException(values.where(NORMALIZE), "PEFT's " + name + " divides by the number of "
                    + "agreeing adapters; normalize (by their weights) needs " + request.spell(SEMANTICS, "mergekit"));
        }
        if (method == MergeMethod.SCE) {
            for (Map<MethodParameter, ParameterValue> adapter : perAdapter) {
                if (adapter.containsKey(DENSITY)) {
                    throw new InputException(adapter.get(DENSITY).where(), "sce selects entries by their variance "
                            + "across all adapters, so its density is one value (filters may vary it by module)");
                }
            }
        }
        for (MethodParameter p : List.of(RANK, SVD_CLAMP)) {
            if (space == Space.FACTORS && values.given(p)) {
                throw new InputException(values.where(p), "does not apply to " + name + " in factor space, which "
                        + "keeps the inputs' rank and has no SVD");
            }
        }

        MergeSettings settings = MergeSettings.defaults()
                .withDensity(global.containsKey(DENSITY) && !global.get(DENSITY).isFiltered()
                        ? (Double) global.get(DENSITY).value() : 1)
                .withMajoritySign(MajoritySign.valueOf(upper(values.scalar(MAJORITY_SIGN))))
                .withSeed((Long) values.scalar(SEED))
                .withGamma((Double) values.scalar(GAMMA))
                .withEpsilon((Double) values.scalar(EPSILON));
        if (semantics == Semantics.MERGEKIT) settings = settings.withMergekit((Double) values.scalar(LAMBDA));
        // Under mergekit semantics an electing method's normalize is its divisor; elsewhere it rescales the weights.
        if (method.elects() && values.given(NORMALIZE)) settings = settings.withNormalize((Boolean) values.scalar(NORMALIZE));
        return new MergePlan(method, space, values, settings, integer(values.scalar(RANK)),
                integer(values.scalar(CLUSTERS)), LegoReweighting.valueOf(upper(values.scalar(LEGO_NORM))),
                (Boolean) values.scalar(LEGO_OUTPUT_REWEIGHTING), (Double) values.scalar(SVD_CLAMP),
                dtype(request.dtype(), request.dtypeWhere()));
    }

    /**
     * Each adapter's weight for {@code module}; with {@code normalize} on a method that does not elect signs,
     * divided by their sum (mergekit's weighted average).
     */
    public double[] weights(String module) {
        double[] w = values.numbers(WEIGHT, module);
        if (method.elects() || !Boolean.TRUE.equals(values.scalar(NORMALIZE))) return w;
        double sum = Arrays.stream(w).sum();
        if (!(Math.abs(sum) >= 1e-8)) {
            throw new InputException(values.where(NORMALIZE), "the weights of module " + InputException.quote(module)
                    + " sum to " + sum + ", which leaves no weighted average; drop normalize or change the weights");
        }
        for (int i = 0; i < w.length; i++) w[i] /= sum;
        return w;
    }

    /** Each adapter's density for {@code module}. */
    public double[] densities(String module) {
        return values.numbers(DENSITY, module);
    }

    /**
     * Every merge-wide parameter the method takes with the value this merge uses, given or default, for the
     * recipe; those whose default depends on the adapters (rank, clusters) or on the method (normalize) appear
     * only when given. Per-adapter ones are {@link #adapterParameters}.
     */
    public Map<MethodParameter, ParameterValue> resolvedParameters() {
        Map<MethodParameter, ParameterValue> resolved = new EnumMap<>(MethodParameter.class);
        for (MethodParameter p : method.parameters()) {
            if (p.perAdapter()) continue;
            ParameterValue given = values.global().get(p);
            if (given != null) resolved.put(p, given);
            else if (p.defaultValue() != null && (p != LAMBDA || settings.semantics() == Semantics.MERGEKIT)) {
                resolved.put(p, ParameterValue.of(p.defaultValue(), "default"));
            }
        }
        return resolved;
    }

    /** Adapter {@code adapter}'s per-adapter parameters (weight, density) as it resolves them, for the recipe. */
    public Map<MethodParameter, ParameterValue> adapterParameters(int adapter) {
        Map<MethodParameter, ParameterValue> resolved = new EnumMap<>(MethodParameter.class);
        for (MethodParameter p : method.parameters()) {
            if (p.perAdapter()) resolved.put(p, values.flattened(p, adapter));
        }
        return resolved;
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
        return method.takes(RANK) && space != Space.FACTORS;
    }

    /** One line for the summary: the method and the settings that shaped the result. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (method.takes(SPACE) || method.takes(RANK)) parts.add(space.name().toLowerCase(Locale.ROOT) + " space");
        if (method.takes(DENSITY)) parts.add(describe(DENSITY, "density"));
        if (method.elects()) parts.add(settings.majoritySign().name().toLowerCase(Locale.ROOT) + " sign");
        if (settings.semantics() == Semantics.MERGEKIT) parts.add("mergekit semantics, lambda " + settings.lambda());
        if (Boolean.TRUE.equals(values.scalar(NORMALIZE))) parts.add("normalized");
        if (method == MergeMethod.LEGO) parts.add("lego-norm " + legoNorm.name().toLowerCase(Locale.ROOT));
        if (svdClamp != null) parts.add("svd-clamp " + svdClamp);
        parts.add(describe(WEIGHT, "weights"));
        return method.cliName() + " (" + String.join(", ", parts) + ")";
    }

    /** A per-adapter parameter's values, or that filters vary them by module. */
    private String describe(MethodParameter p, String label) {
        boolean filtered = (values.global().containsKey(p) && values.global().get(p).isFiltered())
                || values.perAdapter().stream().anyMatch(m -> m.containsKey(p) && m.get(p).isFiltered());
        if (filtered) return label + " by module";
        double[] v = values.numbers(p, "");
        boolean same = Arrays.stream(v).allMatch(x -> x == v[0]);
        return p == DENSITY && same ? label + " " + v[0] : label + " " + Arrays.toString(v).replace(" ", "");
    }

    private static MergeMethod method(MergeRequest request) {
        if (request.method() == null) {
            throw new InputException(request.methodWhere(), "missing: name the merge method");
        }
        try {
            return MergeMethod.fromName(request.method());
        } catch (IllegalArgumentException e) {
            throw new InputException(request.methodWhere(), e.getMessage());
        }
    }

    /**
     * The values of one level (adapter {@code adapter}, or the whole merge when negative) in their canonical types,
     * refusing parameters the method does not take and per-adapter or filtered values of merge-wide ones.
     */
    private static Map<MethodParameter, ParameterValue> typed(MergeRequest request, MergeMethod method,
                                                             Map<MethodParameter, ParameterValue> given, int adapter) {
        Map<MethodParameter, ParameterValue> typed = new EnumMap<>(MethodParameter.class);
        for (Map.Entry<MethodParameter, ParameterValue> e : given.entrySet()) {
            MethodParameter p = e.getKey();
            ParameterValue value = e.getValue();
            if (!method.takes(p)) {
                throw new InputException(value.where(), "does not apply to " + method.cliName() + ", which takes "
                        + method.parameters().stream().map(request::spell).collect(Collectors.joining(", ")));
            }
            if (!p.perAdapter() && (adapter >= 0 || value.isFiltered())) {
                throw new InputException(value.where(), "is one value for the whole merge: only "
                        + perAdapterParameters(request) + " can differ between adapters or modules");
            }
            List<ParameterValue.Entry> entries = new ArrayList<>();
            for (ParameterValue.Entry entry : value.entries()) {
                try {
                    entries.add(new ParameterValue.Entry(entry.filter(), p.parse(entry.value()), entry.where()));
                } catch (IllegalArgumentException bad) {
                    String which = adapter >= 0 && request.source() == MergeRequest.Source.FLAGS
                            ? "value " + (adapter + 1) + " " : "";
                    throw new InputException(entry.where(), which + bad.getMessage());
                }
            }
            typed.put(p, new ParameterValue(entries));
        }
        return typed;
    }

    private static String perAdapterParameters(MergeRequest request) {
        return Arrays.stream(MethodParameter.values()).filter(MethodParameter::perAdapter).map(request::spell)
                .collect(Collectors.joining(" and "));
    }

    /** The output type for {@code --dtype} or a config's {@code dtype}, which may use torch's names. */
    static FileDType dtype(String name, String where) {
        if (name == null) return null;
        String key = switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "float32", "fp32" -> "f32";
            case "float16", "fp16", "half" -> "f16";
            case "bfloat16" -> "bf16";
            default -> name.trim();
        };
        return FileDType.fromOption(key).orElseThrow(() -> new InputException(where, "unknown type '" + name
                + "'; expected f32, f16 or bf16 (or float32, float16, bfloat16)"));
    }

    private static String upper(Object choice) {
        return ((String) choice).toUpperCase(Locale.ROOT);
    }

    private static Integer integer(Object value) {
        return value == null ? null : Math.toIntExact((Long) value);
    }
}
