package amalgam.merge.pipeline;

import static amalgam.engine.InputException.quote;

import amalgam.engine.InputException;
import amalgam.merge.adapter.AdapterCompatibility;
import amalgam.merge.adapter.LoraAdapter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.adapter.SavedTensors;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.engine.io.FileDType;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The adapters of one merge, opened (memory-mapped, nothing loaded yet) and checked to fit together: the same
 * modules in every adapter, each with the same layer kind and shape everywhere, and no tensor besides the factors
 * saved by two of them. Loads one module at a time.
 */
public final class MergeInputs implements AutoCloseable {

    private final List<LoraAdapter> adapters;
    private final List<String> moduleNames;
    private final SavedTensors saved;

    private MergeInputs(List<LoraAdapter> adapters, List<String> moduleNames, SavedTensors saved) {
        this.adapters = adapters;
        this.moduleNames = moduleNames;
        this.saved = saved;
    }

    /** Opens every directory; on any problem closes what was opened and throws an {@link InputException}. */
    public static MergeInputs open(List<Path> directories, boolean allowNonFinite) {
        List<LoraAdapter> adapters = new ArrayList<>();
        try {
            for (Path dir : directories) adapters.add(LoraAdapter.open(dir, allowNonFinite));
            // Shapes first: a shape conflict says "different base models", the clearer diagnosis.
            List<String> names = List.copyOf(AdapterCompatibility.moduleUnion(adapters));
            requireSameModules(adapters, names);
            requireIntDimensions(adapters.getFirst(), names);
            return new MergeInputs(adapters, names, SavedTensors.of(adapters));
        } catch (RuntimeException e) {
            adapters.forEach(LoraAdapter::close);
            throw e;
        }
    }

    /**
     * PEFT would treat a missing module as a zero update, but with weights, sign elections and SVDs that silently
     * changes what the other adapters contribute; a user merging mismatched adapters almost always has a mistake.
     */
    private static void requireSameModules(List<LoraAdapter> adapters, List<String> names) {
        for (String name : names) {
            LoraAdapter owner = adapters.stream().filter(a -> a.module(name).isPresent()).findFirst().orElseThrow();
            for (LoraAdapter adapter : adapters) {
                if (adapter.module(name).isEmpty()) {
                    throw new InputException(adapter.directory().toString(), "has no module " + quote(name)
                            + ", which " + owner.directory() + " adapts; merged adapters must adapt the same modules");
                }
            }
        }
    }

    /**
     * The merge's matrices index rows and columns by int; a legal safetensors factor can be wider ([1, 2³¹]), which
     * is refused here, before anything is written, rather than overflowing mid-merge. Shapes agree between
     * adapters by now, so the first one's stand for all.
     */
    private static void requireIntDimensions(LoraAdapter adapter, List<String> names) {
        for (String name : names) {
            LoraModule m = adapter.module(name).orElseThrow();
            if (!ModuleUpdates.fitsInt(m)) {
                throw new InputException(adapter.directory() + ": module " + quote(name), "is " + m.outFeatures()
                        + " × " + m.inFeatures() + "; merges handle dimensions up to " + Integer.MAX_VALUE
                        + " (2^31 − 1)");
            }
        }
    }

    /** Refuses modules whose ranks differ between adapters, for merges that need equal ranks ({@code why}). */
    void requireEqualRanks(String why) {
        for (String name : moduleNames) {
            LoraModule first = adapters.getFirst().module(name).orElseThrow();
            for (LoraAdapter adapter : adapters) {
                LoraModule m = adapter.module(name).orElseThrow();
                if (m.rank() != first.rank()) {
                    throw new InputException(adapter.directory().toString(), "module " + quote(name) + " has rank "
                            + m.rank() + " but rank " + first.rank() + " in " + adapters.getFirst().directory() + "; "
                            + why);
                }
            }
        }
    }

    List<LoraAdapter> adapters() {
        return adapters;
    }

    /** The tensors besides LoRA factors that the merged adapter carries over. */
    SavedTensors saved() {
        return saved;
    }

    /** Module names, sorted; every adapter has all of them. */
    public List<String> moduleNames() {
        return moduleNames;
    }

    /** The module as each adapter has it, in adapter order. */
    public List<LoraModule> module(String name) {
        return adapters.stream().map(a -> a.module(name).orElseThrow()).toList();
    }

    /** Every adapter's A and B of {@code name} as fp32 in {@code arena}, each with its own scaling. */
    public List<LowRankUpdate> load(String name, Arena arena) {
        List<LowRankUpdate> updates = new ArrayList<>(adapters.size());
        for (LoraAdapter adapter : adapters) {
            updates.add(ModuleUpdates.load(adapter, adapter.module(name).orElseThrow(), arena));
        }
        return updates;
    }

    /** The storage type all factors share, if they share a writable one. */
    Optional<FileDType> commonDtype() {
        Set<FileDType> types = EnumSet.noneOf(FileDType.class);
        for (LoraAdapter adapter : adapters) {
            for (LoraModule m : adapter.modules()) {
                types.add(adapter.tensorA(m).dtype());
                types.add(adapter.tensorB(m).dtype());
            }
        }
        return types.size() == 1 && types.iterator().next().writable() ? Optional.of(types.iterator().next())
                : Optional.empty();
    }

    /** A warning when the adapters name different base models, or null. The output keeps the first one's. */
    String baseModelWarning() {
        String first = adapters.getFirst().config().baseModelNameOrPath().orElse(null);
        for (LoraAdapter adapter : adapters) {
            String other = adapter.config().baseModelNameOrPath().orElse(null);
            if (!java.util.Objects.equals(first, other)) {
                return "adapters disagree on base_model_name_or_path: " + first + " in "
                        + adapters.getFirst().directory() + " but " + other + " in " + adapter.directory()
                        + "; the output keeps " + first;
            }
        }
        return null;
    }

    @Override
    public void close() {
        adapters.forEach(LoraAdapter::close);
    }
}
