package amalgam.merge.pipeline;

import amalgam.engine.InputException;
import amalgam.engine.hub.Checkpoint;
import amalgam.engine.io.AtomicOutput;
import amalgam.engine.io.FileDType;
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
import java.util.concurrent.CompletableFuture;

/**
 * Merging PEFT adapters into one, as a library: what {@code amalgam merge}, {@code train-coefficients} and the
 * studies call. It guards the output (never an input or the base model, nothing replaced without {@code force},
 * written atomically), chooses each module's output rank, merges module after module in bounded memory and checks
 * that the result fits its storage type. The result is an adapter ({@link AdapterOutput}) or, given a base model,
 * that model with the merged update folded in ({@link FullModelOutput}); either records how it was made
 * ({@link MergeRecipe}). Warnings and progress go to {@code err}.
 *
 * <pre>{@code
 * MergePlan plan = MergePlan.of(options, adapters.size());
 * AdapterMerge.Result r = AdapterMerge.run(plan, adapters, out, false, false, scope.context(), err);
 * }</pre>
 */
public final class AdapterMerge {

    /**
     * What was written: the output modules, their storage type (null for a full model, whose weights keep the
     * base's types), the base model folded into (null for an adapter) and the time taken, in seconds.
     */
    public record Result(List<WrittenModule> modules, FileDType dtype, Path baseModel, double seconds) {}

    /**
     * One output module (with its rank), the share of its merged update's energy it kept at that rank (see
     * {@link ModuleMerger.Merged}) and the seconds its merge took.
     */
    public record WrittenModule(LoraModule module, double energyKept, double seconds) {}

    private AdapterMerge() {}

    /** Merges {@code adapters} into one adapter in {@code out}. */
    public static Result run(MergePlan plan, List<Path> adapters, Path out, boolean force, boolean allowNonFinite,
                             ComputeContext context, PrintWriter err) throws IOException {
        return run(plan, adapters, null, out, force, allowNonFinite, context, err);
    }

    /**
     * Merges {@code adapters} and, with a {@code baseModel} directory, writes that model with the merged update
     * folded into its weights ({@link FullModelOutput}) instead of an adapter; {@code plan} must then leave the
     * type to the base (no dtype).
     */
    public static Result run(MergePlan plan, List<Path> adapters, Path baseModel, Path out, boolean force,
                             boolean allowNonFinite, ComputeContext context, PrintWriter err) throws IOException {
        if (baseModel != null && plan.dtype() != null) {
            throw new IllegalArgumentException("a full model keeps the base's types; the plan must not set a dtype");
        }
        for (Path adapter : adapters) requireOutputIsNoInput(out, adapter, "input adapter");
        if (baseModel != null) requireOutputIsNoInput(out, baseModel, "base model");
        try (Checkpoint base = baseModel == null ? null : Checkpoint.open(baseModel)) {
            return merge(plan, adapters, base, out, force, allowNonFinite, context, err);
        }
    }

    private static Result merge(MergePlan plan, List<Path> adapters, Checkpoint base, Path out, boolean force,
                                boolean allowNonFinite, ComputeContext context, PrintWriter err) throws IOException {
        CompletableFuture<List<String>> hashing = MergeRecipe.hashWeights(adapters);
        ModuleMerger merger = new ModuleMerger(plan, context);
        try (MergeInputs inputs = MergeInputs.open(adapters, allowNonFinite)) {
            if (plan.space() == MergePlan.Space.FACTORS) {
                inputs.requireEqualRanks("--space factors merges the A and B stacks entry by entry and needs "
                        + "equal ranks (the default delta space merges any ranks)");
            }
            List<String> capped = new ArrayList<>();
            List<LoraModule> outputs = outputModules(plan, inputs, capped);
            FullModelPlan full = base == null ? null : FullModelPlan.of(base, inputs, outputs);
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
            if (full != null && full.files().warning() != null) err.println("amalgam: warning: " + full.files().warning());
            FileDType dtype = base != null ? null
                    : plan.dtype() != null ? plan.dtype() : inputs.commonDtype().orElse(FileDType.F32);
            MergeRecipe recipe = MergeRecipe.of(plan, adapters, MergeRecipe.hashes(hashing), dtype,
                    base == null ? null : base.directory());
            MergeProgress progress = new MergeProgress(err, MergeProgress.stderrIsTerminal(), outputs.size());
            List<WrittenModule> written;
            try (AtomicOutput output = AtomicOutput.begin(out, force)) {
                try (MergeOutput sink = full != null
                        ? FullModelOutput.create(output.directory(), base, full.targets(), full.files(),
                                recipe.safetensorsMetadata(), context.backend(), allowNonFinite)
                        : AdapterOutput.create(output.directory(), inputs, outputs, dtype, recipe, allowNonFinite)) {
                    written = writeModules(inputs, outputs, merger, progress, sink, adapters);
                    sink.finish();
                    recipe.writeYaml(output.directory());
                } catch (IOException e) {
                    // The inputs are memory-mapped, so an IOException here is the output's: a full disk, most likely.
                    throw output.writeFailure(e);
                }
                output.commit();
            } finally {
                progress.finish();
            }
            return new Result(written, dtype, base == null ? null : base.directory(), progress.elapsedSeconds());
        }
    }

    /** Merges module after module into the output, each in an arena closed before the next one starts. */
    private static List<WrittenModule> writeModules(MergeInputs inputs, List<LoraModule> outputs,
                                                    ModuleMerger merger, MergeProgress progress, MergeOutput sink,
                                                    List<Path> adapters) throws IOException {
        List<WrittenModule> written = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            long start = System.nanoTime();
            String name = outputs.get(i).name();
            progress.module(i, name);
            // Shared, not confined: the merge's elementwise sweeps read these segments from worker threads.
            try (Arena arena = Arena.ofShared()) {
                List<LowRankUpdate> updates = inputs.load(name, arena);
                MergedRange.requireFiniteScales(name, updates, merger.weights(name), adapters);
                ModuleMerger.Merged merged = merger.merge(name, updates, outputs.get(i).rank(), i, arena);
                sink.write(outputs.get(i), merged.update());
                written.add(new WrittenModule(outputs.get(i), merged.energyKept(), (System.nanoTime() - start) / 1e9));
            }
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
    private static void requireOutputIsNoInput(Path out, Path input, String what) throws IOException {
        Path target = canonical(out);
        Path source = canonical(input);
        if (source.startsWith(target)) {
            throw new InputException(out.toString(), "is (or contains) the " + what + " " + input
                    + "; write the merge to another directory");
        }
        if (target.startsWith(source)) {
            throw new InputException(out.toString(), "lies inside the " + what + " " + input
                    + "; write the merge to another directory");
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
