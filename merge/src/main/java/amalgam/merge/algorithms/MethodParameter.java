package amalgam.merge.algorithms;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A parameter a {@link MergeMethod} may take: its name in a config file (mergekit's where mergekit has one) and on
 * the command line, its type, its default and its valid range. Each method lists the ones it takes; validation,
 * the help text and the config reader all come from these declarations.
 */
public enum MethodParameter {
    WEIGHT("weight", "--weights", Type.NUMBER, true, 1.0, "the adapter's weight (negative subtracts it)",
            v -> finite(v)),
    DENSITY("density", "--density", Type.NUMBER, true, 1.0, "fraction of entries kept",
            v -> v >= 0 && v <= 1 ? null : "must be a number in [0, 1] (the fraction of entries kept), got " + v),
    MAJORITY_SIGN("majority_sign", "--majority-sign", Type.choice("total", "frequency"), false, "total",
            "how each entry's sign is elected", null),
    GAMMA("gamma", "--gamma", Type.NUMBER, false, 0.01, "fraction of largest entries dropped as outliers",
            v -> v >= 0 && v <= 1 ? null : "must be in [0, 1], got " + v),
    EPSILON("epsilon", "--epsilon", Type.NUMBER, false, MergeSettings.defaults().epsilon(), "half-width of the keep-probability band",
            v -> v >= 0 ? null : "must be at least 0, got " + v),
    NORMALIZE("normalize", "--normalize", Type.BOOLEAN, false, null, "divide by the sum of the weights", null),
    SEMANTICS("semantics", "--semantics", Type.choice("peft", "mergekit"), false, "peft",
            "PEFT's or mergekit's conventions", null),
    LAMBDA("lambda", "--lambda", Type.NUMBER, false, 1.0, "final scale (mergekit semantics)", v -> finite(v)),
    SEED("seed", "--seed", Type.INTEGER, false, 0L, "seed of random masks and the randomized SVD", null),
    SPACE("space", "--space", Type.choice("delta", "factors"), false, "delta", "merge the updates or the factors",
            null),
    RANK("rank", "--rank", Type.INTEGER, false, null, "rank of the merged LoRA",
            v -> atLeastOne(v)),
    SVD_CLAMP("svd_clamp", "--svd-clamp", Type.NUMBER, false, null, "clamp factors to this quantile",
            v -> v > 0 && v <= 1 ? null : "must be a quantile in (0, 1], got " + v),
    CLUSTERS("clusters", "--clusters", Type.INTEGER, false, null, "number of clusters, the merged rank",
            v -> atLeastOne(v)),
    LEGO_NORM("lego_norm", "--lego-norm", Type.choice("l2", "linf", "none"), false, "l2",
            "centroid rescaling", null),
    LEGO_OUTPUT_REWEIGHTING("lego_output_reweighting", "--no-lego-output-reweighting", Type.BOOLEAN, false, true,
            "multiply the update by sqrt(r/K)", null);

    /** The kinds of value a parameter holds; a choice lists its lower-case names. */
    public record Type(String kind, List<String> choices) {
        static final Type NUMBER = new Type("number", List.of());
        static final Type INTEGER = new Type("whole number", List.of());
        static final Type BOOLEAN = new Type("true or false", List.of());

        static Type choice(String... names) {
            return new Type("choice", List.of(names));
        }
    }

    /** A range check of a numeric value: null when valid, else what is wrong. */
    private interface Range {
        String problem(Double value);
    }

    private final String key;
    private final String option;
    private final Type type;
    private final boolean perAdapter;
    private final Object defaultValue;
    private final String summary;
    private final Range range;

    MethodParameter(String key, String option, Type type, boolean perAdapter, Object defaultValue, String summary,
                    Range range) {
        this.key = key;
        this.option = option;
        this.type = type;
        this.perAdapter = perAdapter;
        this.defaultValue = defaultValue;
        this.summary = summary;
        this.range = range;
    }

    /** The name in a config file's {@code parameters}. */
    public String key() {
        return key;
    }

    /** The command-line option that sets it. */
    public String option() {
        return option;
    }

    public Type type() {
        return type;
    }

    /**
     * Whether it can differ between adapters and between modules (per-adapter values, filters): mergekit's
     * "tensor parameters". The others hold one value for the whole merge.
     */
    public boolean perAdapter() {
        return perAdapter;
    }

    /** The value when none is given; null where the method or the adapters decide (rank: the largest input rank). */
    public Object defaultValue() {
        return defaultValue;
    }

    /** A few words for the help text. */
    public String summary() {
        return summary;
    }

    /** The parameter of a config key, if there is one; mergekit's sce calls its density {@code select_topk}. */
    public static Optional<MethodParameter> fromKey(String key) {
        if (key.equals("select_topk")) return Optional.of(DENSITY);
        for (MethodParameter p : values()) if (p.key.equals(key)) return Optional.of(p);
        return Optional.empty();
    }

    /**
     * The value in its canonical type (Double for numbers, Long for whole numbers, Boolean, a lower-case String
     * for choices), checked against its type and range; throws an IllegalArgumentException saying what is wrong.
     * Numbers written as strings are accepted because YAML reads {@code 1e-3} as a string.
     */
    public Object parse(Object raw) {
        if (raw == null) throw new IllegalArgumentException("has no value; expected " + expected());
        Object value = switch (type.kind()) {
            case "number" -> number(raw);
            case "whole number" -> wholeNumber(raw);
            case "true or false" -> {
                if (raw instanceof Boolean b) yield b;
                throw wrongType(raw);
            }
            default -> {
                if (raw instanceof String s && type.choices().contains(s.trim().toLowerCase(Locale.ROOT))) {
                    yield s.trim().toLowerCase(Locale.ROOT);
                }
                if (raw instanceof String s) {
                    throw new IllegalArgumentException("unknown value '" + s + "'; expected one of "
                            + String.join(", ", type.choices()));
                }
                throw wrongType(raw);
            }
        };
        if (range != null) {
            double v = ((Number) value).doubleValue();
            String problem = Double.isNaN(v) ? "must be a number, got NaN" : range.problem(v);
            if (problem != null) throw new IllegalArgumentException(problem);
        }
        return value;
    }

    /** What a value must look like, for error messages. */
    public String expected() {
        return switch (type.kind()) {
            case "choice" -> "one of " + String.join(", ", type.choices());
            case "true or false" -> type.kind();
            default -> "a " + type.kind();
        };
    }

    private Double number(Object raw) {
        if (raw instanceof Number n && !(raw instanceof Boolean)) return n.doubleValue();
        if (raw instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw wrongType(raw);
            }
        }
        throw wrongType(raw);
    }

    private Long wholeNumber(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) return ((Number) raw).longValue();
        if (raw instanceof java.math.BigInteger b) {
            throw new IllegalArgumentException("must be a whole number that fits 64 bits, got " + b);
        }
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw wrongType(raw);
            }
        }
        throw wrongType(raw);
    }

    private IllegalArgumentException wrongType(Object raw) {
        String shown = raw instanceof String s ? "'" + s + "'" : raw instanceof List<?> ? "a list"
                : raw instanceof java.util.Map<?, ?> ? "a mapping" : String.valueOf(raw);
        return new IllegalArgumentException("must be " + expected() + ", got " + shown);
    }

    private static String atLeastOne(Double v) {
        if (v < 1) return "must be at least 1, got " + v.longValue();
        return v <= Integer.MAX_VALUE ? null : "must be at most " + Integer.MAX_VALUE + ", got " + v.longValue();
    }

    private static String finite(Double v) {
        return Double.isFinite(v) ? null : "must be a finite number, got " + v;
    }
}
