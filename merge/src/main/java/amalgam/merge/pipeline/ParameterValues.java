package amalgam.merge.pipeline;

import amalgam.merge.algorithms.MethodParameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated parameter values of a merge, in their canonical types: those given for the whole merge and those
 * given for single adapters. A per-adapter parameter (weight, density) resolves, for adapter i and a module, to
 * adapter i's own value, else the merge's, else the default; at each level the first filter entry matching the
 * module wins — mergekit's order.
 */
public record ParameterValues(Map<MethodParameter, ParameterValue> global,
                              List<Map<MethodParameter, ParameterValue>> perAdapter) {

    public ParameterValues {
        global = Map.copyOf(global);
        perAdapter = perAdapter.stream().map(Map::copyOf).toList();
    }

    /** Each adapter's value of {@code p} for {@code module}, as a number. */
    double[] numbers(MethodParameter p, String module) {
        double[] values = new double[perAdapter.size()];
        for (int i = 0; i < values.length; i++) values[i] = ((Number) value(p, i, module)).doubleValue();
        return values;
    }

    private Object value(MethodParameter p, int adapter, String module) {
        Optional<ParameterValue.Entry> own = Optional.ofNullable(perAdapter.get(adapter).get(p))
                .flatMap(v -> v.forModule(module));
        if (own.isPresent()) return own.get().value();
        return Optional.ofNullable(global.get(p)).flatMap(v -> v.forModule(module))
                .map(ParameterValue.Entry::value).orElse(p.defaultValue());
    }

    /**
     * Adapter {@code adapter}'s value of the per-adapter parameter {@code p} as one list that gives every module
     * what the levels together give it — its own entries, then the merge's, then the default — cut after the
     * first entry that matches everything. Where a value was given then no longer matters: the recipe is the same
     * for a weight given per adapter or for all.
     */
    ParameterValue flattened(MethodParameter p, int adapter) {
        List<ParameterValue.Entry> entries = new ArrayList<>();
        if (perAdapter.get(adapter).containsKey(p)) entries.addAll(perAdapter.get(adapter).get(p).entries());
        if (global.containsKey(p)) entries.addAll(global.get(p).entries());
        entries.add(new ParameterValue.Entry(ModuleFilter.ALL, p.defaultValue(), "default"));
        List<ParameterValue.Entry> reachable = new ArrayList<>();
        for (ParameterValue.Entry e : entries) {
            reachable.add(e);
            if (e.filter().isAll()) break;
        }
        return new ParameterValue(reachable);
    }

    /** Where each filter entry that matches none of {@code modules} was given: most likely a typo. */
    List<String> unmatchedFilters(List<String> modules) {
        List<ParameterValue> all = new ArrayList<>(global.values());
        perAdapter.forEach(m -> all.addAll(m.values()));
        return all.stream().flatMap(v -> v.entries().stream())
                .filter(e -> !e.filter().isAll() && modules.stream().noneMatch(e.filter()::matches))
                .map(ParameterValue.Entry::where).distinct().toList();
    }

    /** The merge-wide value of an unfilterable parameter, or its default. */
    Object scalar(MethodParameter p) {
        ParameterValue v = global.get(p);
        return v == null ? p.defaultValue() : v.value();
    }

    boolean given(MethodParameter p) {
        return global.containsKey(p) || perAdapter.stream().anyMatch(m -> m.containsKey(p));
    }

    /** Where {@code p} was first given, for errors about it. */
    String where(MethodParameter p) {
        if (global.containsKey(p)) return global.get(p).where();
        return perAdapter.stream().filter(m -> m.containsKey(p)).findFirst().orElseThrow().get(p).where();
    }
}
