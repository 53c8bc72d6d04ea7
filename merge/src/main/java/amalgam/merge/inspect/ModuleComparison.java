package amalgam.merge.inspect;

import amalgam.merge.adapter.LoraModule;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * One module across the compared adapters.
 *
 * @param modules the module as each adapter has it, in adapter order, null where an adapter lacks it
 * @param pairs   every pair of adapters, measured when {@code status} is {@link Status#COMPARED}, else empty
 */
public record ModuleComparison(String name, Status status, List<LoraModule> modules, List<PairMeasure> pairs) {

    public enum Status {
        /** In every adapter with one shape: each pair measured. */
        COMPARED,
        /** Not in every adapter: a merge would refuse these adapters. */
        MISSING,
        /** In every adapter, but not one kind of layer with one out × in: adapters of different base models. */
        SHAPES_DIFFER,
        /** A dimension beyond 2^31 − 1, which the measurements index by int. */
        TOO_WIDE,
        /** NaN or infinite weights (read with --allow-nonfinite): no cosine or sign is meaningful. */
        NOT_FINITE;

        /** The name scripts see: {@code shapes_differ}. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The indices of the adapters that have this module. */
    public List<Integer> presentIn() {
        return IntStream.range(0, modules.size()).filter(i -> modules.get(i) != null).boxed().toList();
    }

    /** Why the module was not compared, in words, or null when it was. */
    public String reason() {
        return switch (status) {
            case COMPARED -> null;
            case MISSING -> "only in " + String.join(", ", presentIn().stream().map(i -> "#" + (i + 1)).toList());
            case SHAPES_DIFFER -> "shapes differ: " + String.join(", ", presentIn().stream()
                    .map(i -> "#" + (i + 1) + " " + shape(modules.get(i))).toList());
            case TOO_WIDE -> "too wide to compare: " + shape(modules.stream().filter(Objects::nonNull).findFirst()
                    .orElseThrow());
            case NOT_FINITE -> "weights not finite";
        };
    }

    public static String shape(LoraModule m) {
        return m.kind().name().toLowerCase(Locale.ROOT) + " " + m.outFeatures() + " x " + m.inFeatures();
    }
}
