package amalgam.merge.cli;

import amalgam.engine.InputException;
import amalgam.kernels.Backends;
import amalgam.merge.adapter.LoraModule;
import amalgam.merge.pipeline.AdapterMerge;
import amalgam.merge.pipeline.MergeConfig;
import amalgam.merge.pipeline.MergeRequest;
import amalgam.merge.pipeline.MergeOptions;
import amalgam.merge.pipeline.MergePlan;
import java.io.IOException;
import java.io.PrintWriter;
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
                MergeHelp.PLACEHOLDER,
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
                "Config files (--config FILE.yml, in mergekit's shape; paths are relative to the file):",
                "  merge_method: ties",
                "  models:",
                "    - model: adapters/a",
                "      parameters: {weight: 0.7, density: 0.5}",
                "    - model: adapters/b",
                "      parameters: {weight: 0.3}",
                "  parameters:",
                "    density: [{filter: self_attn, value: 0.3}, {layers: [0, 4], value: 0.6},",
                "              {value: 0.5}]",
                "    rank: 16",
                "  dtype: bfloat16",
                "weight and density may differ between adapters and, by filter entries, between modules: "
                        + "filter matches module names containing it, layers [FROM, TO) the layers from FROM to "
                        + "before TO; the first matching entry wins, and an adapter's own value goes before the "
                        + "merge's. Every other parameter is one value for the whole merge.",
                "Every merged adapter holds amalgam_merge.yml, its resolved config with each input's SHA-256: "
                        + "--config on it repeats the merge.",
                "",
                "Full model (--full-model --base-model DIR, or base_model: DIR in the config): instead of an "
                        + "adapter, write the base model with the merged update folded in, W' = W + B*A, as PEFT's "
                        + "merge_and_unload does: the base's weights files (sharded as the base is, with its "
                        + "index), each weight in its own type (f32, f16 or bf16, summed in f32 and rounded once), "
                        + "config.json, tokenizer and the other files copied. transformers and amalgam run load it.",
                "",
                "Examples:",
                "  amalgam merge --method linear --weights 0.7,0.3 --out merged a/ b/",
                "  amalgam merge --method ties_svd --density 0.2 --rank 16 --out m a/ b/ c/",
                "  amalgam merge --method cat --weights -1,1 --out b-minus-a a/ b/",
                "  amalgam merge --method dare_ties --density 0.5 --seed 7 --dtype bf16 \\",
                "                --out m a/ b/",
                "  amalgam merge --method lego --clusters 8 --out m a/ b/",
                "  amalgam merge --config merge.yml --out m",
                "  amalgam merge --method ties --density 0.5 --base-model llama/ --full-model \\",
                "                --out llama-merged a/ b/",
                ""},
        footer = {"", "The output directory is written next to its final place and renamed into it; an existing one "
                + "is replaced only with --force. Progress goes to stderr."})
public final class MergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    MergeOptions options;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", order = 17,
            description = "Directory to write the merged adapter to (adapter_model.safetensors, "
                    + "adapter_config.json and the recipe amalgam_merge.yml), or with --full-model the model.")
    Path out;

    @Option(names = "--full-model", order = 17,
            description = "Write the base model (--base-model) with the merged update folded into its weights "
                    + "instead of an adapter (see Full model).")
    boolean fullModel;

    @Option(names = "--base-model", paramLabel = "MODEL_DIR", order = 17,
            description = "The adapters' base model as transformers saves it (config.json, model.safetensors or "
                    + "shards): what --full-model folds the update into. A config file says base_model: MODEL_DIR "
                    + "instead.")
    Path baseModel;

    @Option(names = "--force", order = 18, description = "Replace DIR if it exists (only once the new one is complete).")
    boolean force;

    @Option(names = "--allow-nonfinite", order = 19, description = "Merge adapters containing NaN or infinite weights instead "
            + "of refusing them.")
    boolean allowNonFinite;

    /** auto: a merge ends before the JIT has warmed up the Java kernels, so the C ones go first. */
    @Mixin
    ComputeOptions compute = new ComputeOptions(Backends.AUTO);

    @Option(names = "--min-energy", paramLabel = "E", order = 22,
            description = "Warn when a module's output rank keeps less than this share of its merged update's "
                    + "energy, |truncated|_F^2 / |dW|_F^2 (default: 0.9; 0 never warns).")
    double minEnergy = 0.9;

    @Option(names = "--json", order = 23,
            description = "Print the result as one JSON object on stdout instead of the summary: the method, inputs, "
                    + "output, dtype, backend, time, and per module its shape, rank, energy kept and seconds.")
    boolean json;

    @Option(names = "--config", paramLabel = "FILE.yml", order = 0,
            description = "Read the method, the adapters and the parameters from a YAML file in mergekit's shape "
                    + "(see Config files) instead of --method, its options and ADAPTER_DIRs.")
    Path config;

    @Parameters(arity = "0..*", paramLabel = "ADAPTER_DIR",
            description = "PEFT LoRA adapter directories (adapter_model.safetensors + adapter_config.json).")
    List<Path> adapterDirectories = List.of();

    /** Puts the methods' declared parameters into the help, which annotations cannot compute. */
    static void describeMethods(CommandSpec merge) {
        List<String> description = new ArrayList<>();
        for (String line : merge.usageMessage().description()) {
            if (line.equals(MergeHelp.PLACEHOLDER)) description.addAll(MergeHelp.methods());
            else description.add(line);
        }
        merge.usageMessage().description(description.toArray(String[]::new));
    }

    @Override
    public Integer call() throws IOException {
        List<Path> adapters;
        MergeRequest request;
        Path base = baseModel;
        String baseWhere = "--base-model";
        PrintWriter stderr = spec.commandLine().getErr();
        if (!(minEnergy >= 0 && minEnergy <= 1)) {
            throw new InputException("--min-energy", "must be a share in [0, 1], got " + minEnergy);
        }
        if (config != null) {
            List<String> given = options.given();
            if (!given.isEmpty() || !adapterDirectories.isEmpty()) {
                throw new InputException("--config", "the config file names the method, adapters and parameters; "
                        + "drop " + (given.isEmpty() ? "the ADAPTER_DIRs" : String.join(", ", given)));
            }
            MergeConfig read = MergeConfig.read(config);
            if (read.baseModel() != null) {
                if (baseModel != null) {
                    throw new InputException("--base-model", "the config file names the base model already ("
                            + read.baseModelWhere() + "); drop one of them");
                }
                base = read.baseModel();
                baseWhere = read.baseModelWhere();
            }
            adapters = read.adapters();
            request = read.request();
        } else {
            if (options.method == null) {
                throw new InputException("--method", "missing: give --method METHOD and ADAPTER_DIRs, or --config FILE.yml");
            }
            if (adapterDirectories.isEmpty()) {
                throw new InputException("ADAPTER_DIR", "missing: give the adapter directories to merge");
            }
            adapters = adapterDirectories;
            warnOfBareNumbers(adapters, stderr);
            request = options.request(adapters.size());
        }
        checkFullModel(base, baseWhere, request, stderr);
        MergePlan plan = MergePlan.of(request);
        try (ComputeScope scope = compute.open()) {
            AdapterMerge.Result result = AdapterMerge.run(plan, adapters, fullModel ? base : null, out, force,
                    allowNonFinite, scope.context(), stderr);
            MergeReport report = new MergeReport(plan, adapters, out, result, compute.backendName(), compute.threads,
                    minEnergy);
            String warning = report.warning();
            if (warning != null) {
                stderr.println(warning);
                stderr.flush();
            }
            PrintWriter stdout = spec.commandLine().getOut();
            if (json) stdout.println(report.json());
            else printSummary(report, stdout);
            stdout.flush();
        }
        return 0;
    }

    /** --full-model needs a base; a base without it is a mistake on the command line, unused in a config. */
    private void checkFullModel(Path base, String baseWhere, MergeRequest request, PrintWriter stderr) {
        if (fullModel) {
            if (base == null) {
                throw new InputException("--full-model", "needs the base model to fold the update into: give "
                        + "--base-model MODEL_DIR" + (config != null ? " or base_model: MODEL_DIR in " + config : ""));
            }
            if (!Files.isDirectory(base)) {
                throw new InputException(baseWhere, "no model directory at " + base);
            }
            if (request.dtype() != null) {
                throw new InputException(request.dtypeWhere(), "does not apply to --full-model: each weight keeps "
                        + "the base model's own type");
            }
        } else if (baseModel != null) {
            throw new InputException("--base-model", "is used only with --full-model, which writes the base model "
                    + "with the merged update folded in; add --full-model, or drop --base-model for an adapter");
        } else if (base != null) {
            stderr.println("amalgam: warning: " + baseWhere + " is not used without --full-model: the output is a "
                    + "merged adapter, whose update applies to the base model as each input's does");
        }
    }

    /**
     * {@code --weights 0.7 0.3} gives --weights one value and makes 0.3 an adapter: a number among the adapter
     * directories is an error when no such directory exists, and a warning when one does.
     */
    private static void warnOfBareNumbers(List<Path> adapters, PrintWriter stderr) {
        for (Path adapter : adapters) {
            String name = adapter.toString();
            if (!name.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?(,.*)?")) continue;
            String hint = "list-valued options take one comma-separated value, e.g. --weights 0.7,0.3";
            if (!Files.exists(adapter)) {
                throw new InputException("ADAPTER_DIR", InputException.quote(name) + " is a number, not an adapter "
                        + "directory; " + hint);
            }
            stderr.println("amalgam: warning: the adapter directory " + InputException.quote(name)
                    + " looks like a number; " + hint);
        }
    }

    private void printSummary(MergeReport report, PrintWriter stdout) {
        List<LoraModule> outputs = report.result().modules().stream().map(AdapterMerge.WrittenModule::module).toList();
        IntSummaryStatistics ranks = outputs.stream().mapToInt(LoraModule::rank).summaryStatistics();
        String rank = ranks.getMin() == ranks.getMax() ? Integer.toString(ranks.getMax())
                : ranks.getMin() + " to " + ranks.getMax();
        stdout.println("merged   " + report.adapters().size() + " adapters with " + report.plan().describe());
        Path base = report.result().baseModel();
        stdout.println("modules  " + outputs.size() + ", rank " + rank + ", "
                + (base == null ? report.result().dtype().name().toLowerCase(Locale.ROOT)
                        : "folded into the weights of " + base.toAbsolutePath().normalize() + " (each in its own type)"));
        double least = report.leastEnergyKept();
        if (!Double.isNaN(least)) {
            stdout.println("kept     at least " + MergeReport.percent(least) + " of each module's merged update");
        }
        stdout.println("output   " + out.toAbsolutePath().normalize());
        stdout.println("compute  " + compute.backendName() + " backend, " + compute.threads + " thread"
                + (compute.threads == 1 ? "" : "s"));
        stdout.println("time     " + String.format(Locale.ROOT, "%.2f s", report.result().seconds()));
    }
}
