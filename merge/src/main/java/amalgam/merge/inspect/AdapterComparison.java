package amalgam.merge.inspect;

import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.NaturalOrder;
import amalgam.merge.algorithms.LowRankOps;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.algorithms.SignAgreement;
import amalgam.merge.pipeline.ModuleUpdates;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Several adapters compared module by module, every pair of them: the cosine of their updates (exact, from the
 * factors, whatever their ranks) and the share of entries where their signs agree (exact up to
 * {@code maxSignEntries} entries per module, else on evenly spaced rows; see {@link SignAgreement}). Modules
 * that some adapters lack, or whose shapes differ, are listed with the reason rather than dropped.
 *
 * @param modules every module of any adapter, in natural order
 * @param pairs   per pair of adapters, in order (0, 1), (0, 2), …, (1, 2), …: the means over compared modules
 */
public record AdapterComparison(List<Path> adapters, long maxSignEntries, List<ModuleComparison> modules,
                                List<PairSummary> pairs) {

    /** Entries per module and pair counted for sign agreement by default: exact for modules up to 1024 × 1024. */
    public static final long DEFAULT_SIGN_ENTRIES = 1L << 20;

    /** Loads one module of all adapters at a time, in an arena closed before the next. */
    public static AdapterComparison of(List<LoraAdapter> adapters, long maxSignEntries) {
        if (adapters.size() < 2) throw new IllegalArgumentException("a comparison needs two adapters or more");
        TreeSet<String> names = new TreeSet<>(NaturalOrder.INSTANCE);
        adapters.forEach(a -> a.modules().forEach(m -> names.add(m.name())));
        List<ModuleComparison> modules = new ArrayList<>();
        for (String name : names) modules.add(compare(adapters, name, maxSignEntries));
        List<PairSummary> pairs = new ArrayList<>();
        for (int i = 0; i < adapters.size(); i++) {
            for (int j = i + 1; j < adapters.size(); j++) {
                List<PairMeasure> measures = new ArrayList<>();
                for (ModuleComparison m : modules) {
                    for (PairMeasure p : m.pairs()) if (p.first() == i && p.second() == j) measures.add(p);
                }
                pairs.add(PairSummary.of(i, j, measures));
            }
        }
        return new AdapterComparison(adapters.stream().map(LoraAdapter::directory).toList(), maxSignEntries,
                List.copyOf(modules), List.copyOf(pairs));
    }

    /** How many modules have {@code status}. */
    public long count(ModuleComparison.Status status) {
        return modules.stream().filter(m -> m.status() == status).count();
    }

    private static ModuleComparison compare(List<LoraAdapter> adapters, String name, long maxSignEntries) {
        List<LoraModule> present = adapters.stream().map(a -> a.module(name).orElse(null)).toList();
        ModuleComparison.Status status = status(present);
        if (status != ModuleComparison.Status.COMPARED) return new ModuleComparison(name, status, present, List.of());
        List<PairMeasure> pairs = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            List<LowRankUpdate> updates = new ArrayList<>();
            for (int i = 0; i < adapters.size(); i++) updates.add(ModuleUpdates.load(adapters.get(i), present.get(i), arena));
            // A NaN would count as a negative sign and make every cosine NaN; say so instead.
            if (!updates.stream().allMatch(u -> Double.isFinite(LowRankOps.normSquared(u)))) {
                return new ModuleComparison(name, ModuleComparison.Status.NOT_FINITE, present, List.of());
            }
            for (int i = 0; i < updates.size(); i++) {
                for (int j = i + 1; j < updates.size(); j++) {
                    LowRankUpdate x = updates.get(i), y = updates.get(j);
                    SignAgreement signs = SignAgreement.of(x, y, maxSignEntries);
                    pairs.add(new PairMeasure(i, j, LowRankOps.cosine(x, y), signs, signs.sampled(x)));
                }
            }
        }
        return new ModuleComparison(name, status, present, List.copyOf(pairs));
    }

    private static ModuleComparison.Status status(List<LoraModule> present) {
        if (present.stream().anyMatch(Objects::isNull)) return ModuleComparison.Status.MISSING;
        LoraModule first = present.getFirst();
        for (LoraModule m : present) {
            if (m.kind() != first.kind() || m.outFeatures() != first.outFeatures()
                    || m.inFeatures() != first.inFeatures()) {
                return ModuleComparison.Status.SHAPES_DIFFER;
            }
        }
        return present.stream().allMatch(ModuleUpdates::fitsInt)
                ? ModuleComparison.Status.COMPARED : ModuleComparison.Status.TOO_WIDE;
    }
}
