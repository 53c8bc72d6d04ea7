package amalgam.merge.pipeline;

import amalgam.engine.InputException;
import amalgam.engine.io.AtomicOutput;
import amalgam.engine.io.FileDType;
import amalgam.merge.adapter.LoraAdapterWriter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.algorithms.ComputeContext;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.algorithms.MergeMethod;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Merging PEFT adapters into one, as a library: what {@code amalgam merge}, {@code train-coefficients} and the
 * studies call. It guards the output (never an input, nothing replaced without {@code force}, written
 * atomically), chooses each module's output rank, merges module after module in bounded memory and checks
 * that the result fits its storage type. The output records how it was made ({@link MergeRecipe}). Warnings and
 * progress go to {@code err}.
 *
 * <pre>{@code
 * MergePlan plan = MergePlan.of(options, adapters.size());
 * AdapterMerge.Result r = AdapterMerge.run(plan, adapters, out, false, false, scope.context(), err);
 * }</pre>
 */
public final class AdapterMerge {

    /** What was written: the output modules, their storage type and the time taken, in seconds. */
    public record Result(List<WrittenModule> modules, FileDType dtype, double seconds) {}

    /**
     * One output module (with its rank), the share of its merged update's energy it kept at that rank (see
     * {@link ModuleMerger.Merged}) and the seconds its merge took.
     */
    public record WrittenModule(LoraModule module, double energyKept, double seconds) {}

    private AdapterMerge() {}

    public static Result run(MergePlan plan, List<Path> adapters, Path out, boolean force, boolean allowNonFinite,
                             ComputeContext context, PrintWriter err) throws IOException {
        requireOutputIsNoInput(out, adapters);
        ModuleMerger merger = new ModuleMerger(plan, context);
        try (MergeInputs inputs = MergeInputs.open(adapters, allowNonFinite)) {
            if (plan.space() == MergePlan.Space.FACTORS) {
                inputs.requireEqualRanks("--space factors merges the A and B stacks entry by entry and needs "
                        + "equal ranks (the default delta space merges any ranks)");
            }
            List<String> capped = new ArrayList<>();
            List<LoraModule> outputs = outputModules(plan, inputs, capped);
            if (!capped.isEmpty()) {
                err.println("amalgam: warning: the output rank is capped at min(out, in), the most an update of "
                        + "that shape has, for " + capped.size() + " module" + (capped.size() == 1 ? "" : "s")
                        + ": " + String.join(", ", capped.subList(0, Math.min(3, capped.size())))
                        + (capped.size() > 3 ? ", …" : ""));
            }
            for (String where : plan.values().unmatchedFilters(inputs.moduleNames())) {
                err.println("amalgam: warning: " + where + ": its filter matches no module, so it changes nothing");
            }
            String warning = inputs.baseModelWarning();
            if (warning != null) err.println("amalgam: warning: " + warning);
            FileDType dtype = plan.dtype() != null ? plan.dtype() : inputs.commonDtype().orElse(FileDType.F32);
            MergeRecipe recipe = MergeRecipe.of(plan, adapters, dtype);
            MergeProgress progress = new MergeProgress(err, MergeProgress.stderrIsTerminal(), outputs.size());
            List<WrittenModule> written;
            try {
                written = write(inputs, outputs, merger, recipe, dtype, progress, out, force, allowNonFinite, adapters);
            } finally {
                progress.finish();
            }
            return new Result(written, dtype, progress.elapsedSeconds());
        }
    }

    /** Merges module after module into the output, each in an arena closed before the next one starts. */
    private static List<WrittenModule> write(MergeInputs inputs, List<LoraModule> outputs, ModuleMerger merger,
                                             MergeRecipe recipe, FileDType dtype, MergeProgress progress, Path out,
                                             boolean force, boolean allowNonFinite, List<Path> adapters)
            throws IOException {
        try (AtomicOutput output = AtomicOutput.begin(out, force)) {
            List<WrittenModule> written;
            try {
                written = writeModules(inputs, outputs, merger, recipe, dtype, progress, output, allowNonFinite,
                        adapters);
                recipe.writeYaml(output.directory());
            } catch (IOException e) {
                // The inputs are memory-mapped, so an IOException here is the output's: a full disk, most likely.
                throw output.writeFailure(e);
            }
            output.commit();
            return written;
        }
    }

    private static List<WrittenModule> writeModules(MergeInputs inputs, List<LoraModule> outputs,
                                                    ModuleMerger merger, MergeRecipe recipe, FileDType dtype,
                                                    MergeProgress progress, AtomicOutput output,
                                                    boolean allowNonFinite, List<Path> adapters) throws IOException {
        List<WrittenModule> written = new ArrayList<>();
        try (LoraAdapterWriter writer = LoraAdapterWriter.create(output.directory(),
                inputs.adapters().getFirst().config(), outputs, dtype, recipe.safetensorsMetadata(), inputs.saved())) {
            for (int i = 0; i < outputs.size(); i++) {
                long start = System.nanoTime();
                String name = outputs.get(i).name();
                progress.module(i, name);
                // Shared, not confined: the merge's elementwise sweeps read these segments from worker threads.
                try (Arena arena = Arena.ofShared()) {
                    List<LowRankUpdate> updates = inputs.load(name, arena);
                    MergedRange.requireFiniteScales(name, updates, merger.weights(name), adapters);
                    ModuleMerger.Merged merged = merger.merge(name, updates, outputs.get(i).rank(), i, arena);
                    LowRankUpdate update = merged.update();
                    MergedRange.requireFits(name, update, dtype, allowNonFinite);
                    writer.write(name, update.a().data(), update.b().data());
                    written.add(new WrittenModule(outputs.get(i), merged.energyKept(),
                            (System.nanoTime() - start) / 1e9));
                }
            }
            writer.finish();
        }
        return written;
    }

    /** The merged modules, shaped as the first adapter's with the merged rank and scaling 1. */
    private static List<LoraModule> outputModules(MergePlan plan, MergeInputs inputs, List<String> capped) {
        List<LoraModule> outputs = new ArrayList<>();
        for (String name : inputs.moduleNames()) {
            List<LoraModule> modules = inputs.module(name);
            plan.weights(name); // a normalized merge whose weights sum to 0 fails here, before anything is written
            List<Integer> ranks = modules.stream().map(LoraModule::rank).toList();
            int rank = plan.outputRank(ranks);
            LoraModule first = modules.getFirst();
            int fullRank = (int) Math.min(first.outFeatures(), first.inFeatures());
            if (plan.truncatesBySvd() && rank > fullRank) {
                // A rank beyond min(out, in) would only pad the factors with zeros (and allocate for them).
                capped.add(InputException.quote(name) + " (" + first.outFeatures() + "×" + first.inFeatures() + ")");
                rank = fullRank;
            }
            int slices = ranks.stream().mapToInt(Integer::intValue).sum();
            if (plan.method() == MergeMethod.LEGO && rank > slices) {
                throw new InputException("--clusters", rank + " clusters, but module " + InputException.quote(name)
                        + " has only " + slices + " rank slices in all adapters together");
            }
            outputs.add(modules.getFirst().withRank(rank, 1));
        }
        return outputs;
    }

    /**
     * Writing over an input would destroy it while it is still being read (it is memory-mapped), --force on a
     * directory holding an input would delete that input after the merge, and an output inside an input (its
     * weights file, or a folder of it) would replace part of that input.
     */
    private static void requireOutputIsNoInput(Path out, List<Path> adapters) throws IOException {
        Path target = canonical(out);
        for (Path input : adapters) {
            Path source = canonical(input);
            if (source.startsWith(target)) {
                throw new InputException(out.toString(), "is (or contains) the input adapter " + input
                        + "; write the merge to another directory");
            }
            if (target.startsWith(source)) {
                throw new InputException(out.toString(), "lies inside the input adapter " + input
                        + "; write the merge to another directory");
            }
        }
    }

    /** The real path, or for a path that does not exist yet its nearest existing ancestor's real path + the rest. */
    private static Path canonical(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
    }
}
