package amalgam.merge.cli;

import amalgam.kernels.Backends;
import amalgam.kernels.WorkerPool;
import amalgam.engine.InputException;
import amalgam.merge.adapter.LoraAdapterWriter;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.algorithms.LowRankUpdate;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.engine.io.AtomicOutput;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code amalgam merge}: merges PEFT LoRA adapters into one, streaming module by module — every adapter stays
 * memory-mapped, and only one module's factors (plus, for dense merges, its deltas) are in memory at a time, in
 * an arena closed before the next module. The output appears atomically or not at all ({@link AtomicOutput}).
 */
@Command(name = "merge",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
                "Merge PEFT LoRA adapters of the same base model into one adapter that PEFT loads with scaling 1 "
                        + "(r = lora_alpha = merged rank). Each adapter's own scaling (lora_alpha/r, rslora, "
                        + "rank/alpha patterns) is applied exactly once.",
                "",
                "Methods (w = --weights, default 1 for every adapter; d = --density):",
                "  linear           sum of w_i * dW_i (task arithmetic), refactored to --rank",
                "  svd              the same as linear, named as PEFT names it",
                "  cat              the exact sum: stacks the adapters' rank slices, so the rank",
                "                   is the sum of their ranks",
                "  magnitude_prune  keep each update's top d fraction by magnitude, then sum",
                "  ties             magnitude prune, elect a sign per entry, average the agreeing",
                "  dare_linear      keep entries at random with probability d, rescale by",
                "                   1/d, sum",
                "  dare_ties        DARE, then TIES's sign election and disjoint mean",
                "  breadcrumbs      drop the largest --gamma fraction and the smallest entries,",
                "                   keep d, sum",
                "  della            random keep probabilities around d ranked by magnitude,",
                "                   then TIES's election and mean",
                "  lego             cluster all rank slices into --clusters groups (LoRA-LEGO)",
                "  PEFT's ties_svd, dare_linear_svd, dare_ties_svd, magnitude_prune_svd mean the",
                "  method without _svd in the delta space (the default here).",
                "",
                "Spaces:",
                "  delta (default)  merge the full updates dW_i = s_i*B_i*A_i, then refactor",
                "                   the result to rank --rank by truncated SVD (s_i =",
                "                   lora_alpha/r, the adapter's scaling). linear and svd get an",
                "                   exact SVD from the factors, never forming dW; dense merges",
                "                   (ties, dare, ...) use a randomized SVD.",
                "  factors          PEFT's factor-wise merge: run the method on the A matrices",
                "                   and on the B matrices separately (weights sqrt|w_i*s_i|).",
                "                   For linear that gives (sum_i B_i)(sum_j A_j): it includes",
                "                   cross terms B_i*A_j between different adapters, so it is",
                "                   not the sum of the updates. Needs equal ranks. Offered",
                "                   because PEFT users expect it.",
                "",
                "Examples:",
                "  amalgam merge --method linear --weights 0.7,0.3 --out merged a/ b/",
                "  amalgam merge --method ties_svd --density 0.2 --rank 16 --out m a/ b/ c/",
                "  amalgam merge --method cat --weights -1,1 --out b-minus-a a/ b/",
                "  amalgam merge --method dare_ties --density 0.5 --seed 7 --dtype bf16 \\",
                "                --out m a/ b/",
                "  amalgam merge --method lego --clusters 8 --out m a/ b/",
                ""},
        footer = {"", "The output directory is written next to its final place and renamed into it; an existing one "
                + "is replaced only with --force. Progress goes to stderr."})
public final class MergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    MergeOptions options;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", order = 17,
            description = "Directory to write the merged adapter to (adapter_model.safetensors and "
                    + "adapter_config.json).")
    Path out;

    @Option(names = "--force", order = 18, description = "Replace DIR if it exists (only once the new one is complete).")
    boolean force;

    @Option(names = "--allow-nonfinite", order = 19, description = "Merge adapters containing NaN or infinite weights instead "
            + "of refusing them.")
    boolean allowNonFinite;

    /** auto: a merge ends before the JIT has warmed up the Java kernels, so the C ones go first. */
    @Mixin
    ComputeOptions compute = new ComputeOptions(Backends.AUTO);

    @Parameters(arity = "1..*", paramLabel = "ADAPTER_DIR",
            description = "PEFT LoRA adapter directories (adapter_model.safetensors + adapter_config.json).")
    List<Path> adapterDirectories;

    @Override
    public Integer call() throws IOException {
        MergePlan plan = MergePlan.of(options, adapterDirectories.size());
        requireOutputIsNoInput();
        PrintWriter err = spec.commandLine().getErr();
        try (WorkerPool pool = compute.pool()) {
            ModuleMerger merger = new ModuleMerger(plan, compute.context(pool));
            try (MergeInputs inputs = MergeInputs.open(adapterDirectories, allowNonFinite)) {
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
                String warning = inputs.baseModelWarning();
                if (warning != null) err.println("amalgam: warning: " + warning);
                FileDType dtype = plan.dtype() != null ? plan.dtype() : inputs.commonDtype().orElse(FileDType.F32);
                MergeProgress progress = new MergeProgress(err, MergeProgress.stderrIsTerminal(), outputs.size());
                try {
                    write(inputs, outputs, merger, dtype, progress);
                } finally {
                    progress.finish();
                }
                printSummary(plan, outputs, dtype, progress.elapsedSeconds());
            }
        }
        return 0;
    }

    /** Merges module after module into the output, each in an arena closed before the next one starts. */
    private void write(MergeInputs inputs, List<LoraModule> outputs, ModuleMerger merger, FileDType dtype,
                       MergeProgress progress) throws IOException {
        try (AtomicOutput output = AtomicOutput.begin(out, force);
             LoraAdapterWriter writer = LoraAdapterWriter.create(output.directory(),
                     inputs.adapters().getFirst().config(), outputs, dtype)) {
            for (int i = 0; i < outputs.size(); i++) {
                String name = outputs.get(i).name();
                progress.module(i, name);
                // Shared, not confined: the merge's elementwise sweeps read these segments from worker threads.
                try (Arena arena = Arena.ofShared()) {
                    List<LowRankUpdate> updates = inputs.load(name, arena);
                    MergedRange.requireFiniteScales(name, updates, merger.weights(), adapterDirectories);
                    LowRankUpdate merged = merger.merge(updates, outputs.get(i).rank(), i, arena);
                    MergedRange.requireFits(name, merged, dtype, allowNonFinite);
                    writer.write(name, merged.a().data(), merged.b().data());
                }
            }
            writer.finish();
            output.commit();
        }
    }

    /** The merged modules, shaped as the first adapter's with the merged rank and scaling 1. */
    private static List<LoraModule> outputModules(MergePlan plan, MergeInputs inputs, List<String> capped) {
        List<LoraModule> outputs = new ArrayList<>();
        for (String name : inputs.moduleNames()) {
            List<LoraModule> modules = inputs.module(name);
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
    private void requireOutputIsNoInput() throws IOException {
        Path target = canonical(out);
        for (Path input : adapterDirectories) {
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

    private void printSummary(MergePlan plan, List<LoraModule> outputs, FileDType dtype, double seconds) {
        PrintWriter stdout = spec.commandLine().getOut();
        IntSummaryStatistics ranks = outputs.stream().mapToInt(LoraModule::rank).summaryStatistics();
        String rank = ranks.getMin() == ranks.getMax() ? Integer.toString(ranks.getMax())
                : ranks.getMin() + " to " + ranks.getMax();
        stdout.println("merged   " + adapterDirectories.size() + " adapters with " + plan.describe());
        stdout.println("modules  " + outputs.size() + ", rank " + rank + ", " + dtype.name().toLowerCase(Locale.ROOT));
        stdout.println("output   " + out.toAbsolutePath().normalize());
        stdout.println("compute  " + compute.backendName() + " backend, " + compute.threads + " thread"
                + (compute.threads == 1 ? "" : "s"));
        stdout.println("time     " + String.format(Locale.ROOT, "%.2f s", seconds));
        stdout.flush();
    }
}
