package amalgam.merge.cli;

import amalgam.kernels.Backends;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.pipeline.AdapterMerge;
import amalgam.merge.pipeline.MergeOptions;
import amalgam.merge.pipeline.MergePlan;
import amalgam.engine.io.FileDType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
        try (ComputeScope scope = compute.open()) {
            AdapterMerge.Result result = AdapterMerge.run(plan, adapterDirectories, out, force, allowNonFinite,
                    scope.context(), spec.commandLine().getErr());
            printSummary(plan, result.modules(), result.dtype(), result.seconds());
        }
        return 0;
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
