package amalgam.merge.cli;

import amalgam.engine.DType;
import amalgam.engine.InputException;
import amalgam.engine.io.AtomicOutput;
import amalgam.merge.adaptive.AdaptiveMerge;
import amalgam.merge.adaptive.Buffer;
import amalgam.merge.adaptive.CoefficientRecipe;
import amalgam.merge.adaptive.CoefficientSettings;
import amalgam.merge.adaptive.CoefficientTraining;
import amalgam.merge.adaptive.Coefficients;
import amalgam.merge.adaptive.Granularity;
import amalgam.merge.adaptive.LoraHubSearch;
import amalgam.merge.adaptive.LoraHubTuning;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.adaptive.StandardObjective;
import amalgam.merge.dil.TrainingProgress;
import amalgam.merge.pipeline.AdapterMerge;
import amalgam.merge.pipeline.MergeInputs;
import amalgam.merge.pipeline.MergeOptions;
import amalgam.merge.pipeline.MergePlan;
import amalgam.merge.pipeline.MergeProgress;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code amalgam train-coefficients}: learns merge coefficients for PEFT adapters of any engine model — a
 * Hugging Face decoder or ViT, or a TinyViT checkpoint — on a small buffer, by gradient through the merge, and
 * writes them (coefficients.json) with the merged adapter.
 */
@Command(name = "train-coefficients",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
                "Learn merging coefficients for LoRA adapters of a model on a small buffer: by default "
                        + "alpha_i = sigmoid(c_i) * b, b = 1 + (b_max - 1) * sigmoid(beta), c and beta trained by "
                        + "Adam through the merge (TIES/DARE masks fixed from the unweighted updates).",
                "",
                "Writes OUT/coefficients.json and, with one weight per adapter, the merged adapter OUT/adapter made "
                        + "by the merge `amalgam merge` runs, with the learned weights: task arithmetic as the exact `cat` merge; "
                        + "TIES and DARE-TIES as `ties`/`dare_ties` (same density, seed and DARE masks), whose dense "
                        + "result is refactored to --rank, so it approximates the merge the coefficients were "
                        + "learned through.",
                "",
                "The model is a Hugging Face directory (--model: Llama, Mistral, Qwen2 decoders with a JSONL "
                        + "--buffer; ViTForImageClassification with a folder of class folders) or a TinyViT "
                        + "checkpoint (--base, IDX buffers). A JSONL line is {\"text\": ...} (loss on every token) "
                        + "or {\"prompt\": ..., \"completion\": ...} (loss on the completion's tokens).",
                "",
                "Examples:",
                "  amalgam train-coefficients --model smollm/ --buffer buffer.jsonl \\",
                "      --eval held-out.jsonl --method ties --out learned code-lora/ math-lora/",
                "  amalgam train-coefficients --model vit/ --buffer images/ --out learned a/ b/",
                "  amalgam train-coefficients --base vit.safetensors \\",
                "      --buffer-images b-images-idx3-ubyte --buffer-labels b-labels-idx1-ubyte \\",
                "      --method ties --b-max 3 --out learned a/ b/ c/",
                ""})
public final class TrainCoefficientsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ADAPTER", arity = "1..*", description = "PEFT LoRA adapter directories.")
    List<Path> adapters;

    @ArgGroup(exclusive = true, multiplicity = "1", order = 1)
    ModelChoice modelChoice;

    /** Exactly one model: a Hugging Face directory or a TinyViT checkpoint. */
    static final class ModelChoice {
        @Option(names = "--model", paramLabel = "DIR", required = true, order = 1,
                description = "Hugging Face model directory (config.json, safetensors, tokenizer.json or "
                        + "preprocessor_config.json), as save_pretrained writes it.")
        Path model;

        @Option(names = "--base", paramLabel = "FILE", required = true, order = 1,
                description = "TinyViT checkpoint (safetensors, parameter names as TinyViT's), e.g. from "
                        + "`amalgam demo --save-models`.")
        Path base;
    }

    @Option(names = "--buffer", paramLabel = "FILE|DIR", order = 2,
            description = "With --model: the examples the coefficients are fitted on. JSONL text for a language "
                    + "model; for an image classifier a folder with one sub-folder per class, named as config.json's "
                    + "id2label, of PNG/JPEG images.")
    Path buffer;

    @Option(names = "--eval", paramLabel = "FILE|DIR", order = 2,
            description = "With --model: a held-out buffer of the same kind, whose loss is reported before and after.")
    Path eval;

    @Option(names = "--buffer-images", paramLabel = "FILE", order = 3,
            description = "With --base: buffer images, IDX [n, 28, 28] unsigned bytes (gzip allowed).")
    Path bufferImages;

    @Option(names = "--buffer-labels", paramLabel = "FILE", order = 3,
            description = "With --base: buffer labels, IDX [n] (not needed by --objective entropy).")
    Path bufferLabels;

    @Option(names = "--eval-images", paramLabel = "FILE", order = 3, description = "With --base: held-out images, IDX.")
    Path evalImages;

    @Option(names = "--eval-labels", paramLabel = "FILE", order = 3, description = "With --base: held-out labels, IDX.")
    Path evalLabels;

    @Option(names = {"--method", "--merge"}, paramLabel = "task_arithmetic|ties|dare_ties", defaultValue = "ties",
            order = 4, description = "The merge whose weights are learned: task_arithmetic, ties or dare_ties, as "
                    + "amalgam merge names them (--merge is this option's earlier name). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--density", paramLabel = "D", defaultValue = "0.5", order = 5,
            description = "TIES: fraction kept; DARE: keep probability. Default: ${DEFAULT-VALUE}.")
    double density;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", order = 6, description = "DARE's mask seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--b-max", paramLabel = "B", defaultValue = "1", order = 9, description = "Largest scale b. Default: ${DEFAULT-VALUE}.")
    double bMax;

    @Mixin
    CoefficientOptions coefficientOptions = new CoefficientOptions();

    @Option(names = "--steps", paramLabel = "N", defaultValue = "100", order = 15, description = "Adam steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.05", order = 16, description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--optimizer", paramLabel = "adam|cma-es", defaultValue = "adam", order = 17,
            description = "adam (gradient through the merge, the activation above), or cma-es (LoraHub: "
                    + "gradient-free search over the weights themselves in [-1.5, 1.5], 40 evaluations, "
                    + "loss + 0.05 * mean |w|). Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--rank", paramLabel = "R", order = 18,
            description = "Rank of the merged TIES/DARE-TIES adapter (default: amalgam merge's, the largest input rank).")
    Integer rank;

    @Option(names = "--out", paramLabel = "DIR", required = true, order = 19, description = "Output directory.")
    Path out;

    @Option(names = "--force", order = 19, description = "Replace an existing output.")
    boolean force;

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        MergeMethod kind = parse("--method", () -> MergeMethod.learnableFromName(method));
        CoefficientRecipe recipe = coefficientOptions.recipe();
        CoefficientSettings settings = parse("--b-max", () -> recipe.settings(bMax));
        if (steps < 0) throw new InputException("--steps", "must not be negative, got " + steps);
        // Checked here, not by the merge: a bad value would otherwise surface only after the whole training.
        if (!(density >= 0 && density <= 1)) {
            throw new InputException("--density", "must be a number in [0, 1] (the fraction of entries kept), got "
                    + density);
        }
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new InputException("--lr", "must be a finite number above 0, got " + learningRate);
        }
        if (!optimizer.equals("adam") && !optimizer.equals("cma-es")) {
            throw new InputException("--optimizer", "expected adam or cma-es, got '" + optimizer + "'");
        }
        if (kind == MergeMethod.LINEAR && rank != null) {
            throw new InputException("--rank", "task_arithmetic writes the exact cat merge, whose rank is the sum of "
                    + "the input ranks; drop --rank");
        }
        if (eval == null && evalImages == null && evalLabels != null) {
            throw new InputException("--eval-labels", "needs --eval-images");
        }
        if (settings.granularity() == Granularity.ADAPTER) {
            // The merged adapter is written after training: its inputs are checked (names, modules, shapes) first.
            try (MergeInputs _ = MergeInputs.open(adapters, false)) {
                // Opening validates; the merge opens them again when the weights are known.
            }
        }
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        try (AtomicOutput output = AtomicOutput.begin(out, force); ComputeScope scope = compute.open()) {
            CoefficientInputs.BufferPaths paths = new CoefficientInputs.BufferPaths(buffer, eval, bufferImages,
                    bufferLabels, evalImages, evalLabels);
            StandardObjective objective = recipe.objective();
            CoefficientInputs inputs = modelChoice.model != null
                    ? CoefficientInputs.huggingFace(modelChoice.model, adapters, paths, objective)
                    : CoefficientInputs.tinyVit(modelChoice.base, adapters, paths, objective,
                    objective == StandardObjective.ENTROPY);
            List<String> modules = inputs.modules();
            stderr.println("amalgam: " + inputs.description() + ", " + adapters.size() + " adapters on "
                    + modules.size() + " modules, buffer of " + inputs.buffer().size() + " examples");
            stderr.flush();
            AdaptiveMerge adaptive = new AdaptiveMerge(inputs.model(), modules, inputs.deltas(), kind, density, seed);
            Coefficients coefficients = new Coefficients(settings, adapters.size(), modules.size(), DType.F32);
            TrainingProgress progress = TrainingProgress.on(stderr, MergeProgress.stderrIsTerminal());
            int groups = settings.granularity().groups(modules.size());
            double[][] start, weights;
            if (optimizer.equals("adam")) {
                start = coefficients.values();
                try (TrainingProgress.Loop loop = progress.start("coefficients", steps)) {
                    CoefficientTraining.train(adaptive, coefficients, inputs.buffer(), steps, learningRate,
                            (step, loss) -> loop.step(loss));
                }
                weights = coefficients.values();
            } else {
                start = new double[adapters.size()][groups];
                LoraHubSearch.Result found = LoraHubTuning.tune(adaptive, settings.granularity(), inputs.buffer(), seed);
                weights = new double[adapters.size()][groups];
                for (int i = 0; i < adapters.size(); i++) System.arraycopy(found.weights(), i * groups, weights[i], 0, groups);
            }
            // Before and after are the graph-free loss at the starting and the final weights, whichever optimiser.
            double before = lossAt(adaptive, start, inputs.buffer()), after = lossAt(adaptive, weights, inputs.buffer());
            Double evalBefore = inputs.eval() == null ? null : lossAt(adaptive, start, inputs.eval());
            Double evalAfter = inputs.eval() == null ? null : lossAt(adaptive, weights, inputs.eval());

            Map<String, Object> json = new LinkedHashMap<>();
            json.put("model", modelChoice.model != null ? modelChoice.model.toString() : modelChoice.base.toString());
            json.put("merge", kind.reportName());
            json.put("optimizer", optimizer);
            json.put("activation", recipe.activation().cliName());
            json.put("granularity", recipe.granularity().cliName());
            json.put("b_max", bMax);
            json.put("scale", recipe.scaleName());
            json.put("objective", objective.cliName());
            json.put("steps", steps);
            json.put("lr", learningRate);
            if (kind != MergeMethod.LINEAR) {
                json.put("density", density);
                json.put("seed", seed);
            }
            json.put("adapters", adapters.stream().map(Path::toString).toList());
            json.put("modules", modules);
            json.put("weights", weights);
            if (optimizer.equals("adam")) json.put("b", coefficients.scale().item());
            json.put("buffer", Map.of("examples", inputs.buffer().size()));
            json.put("loss", Map.of("before", before, "after", after));
            if (evalBefore != null) json.put("eval", Map.of("examples", inputs.eval().size(), "loss",
                    Map.of("before", evalBefore, "after", evalAfter)));
            if (settings.granularity() == Granularity.ADAPTER) {
                double[] perAdapter = new double[weights.length];
                for (int i = 0; i < perAdapter.length; i++) perAdapter[i] = weights[i][0];
                mergedAdapter(kind, perAdapter, output.directory().resolve("adapter"), scope);
                json.put("merged_adapter", "adapter");
            } else {
                json.put("merged_adapter", null); // PEFT merges take one weight per adapter, not per module
            }
            try {
                Files.writeString(output.directory().resolve("coefficients.json"),
                        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n");
            } catch (IOException e) {
                throw output.writeFailure(e);
            }
            output.commit();
            stdout.printf(Locale.ROOT, "loss %.4f -> %.4f", before, after);
            if (evalBefore != null) stdout.printf(Locale.ROOT, "; eval loss %.4f -> %.4f", evalBefore, evalAfter);
            stdout.printf(Locale.ROOT, "; weights %s%n", java.util.Arrays.deepToString(weights));
            stdout.println("wrote " + out.toAbsolutePath());
            stdout.flush();
        }
        return 0;
    }

    /**
     * The merged adapter in PEFT's format, by the merge library with the learned weights: task arithmetic as
     * the exact {@code cat} merge, TIES and DARE-TIES with the same density, seed and DARE masks.
     */
    private void mergedAdapter(MergeMethod kind, double[] weights, Path target, ComputeScope scope) throws IOException {
        MergeOptions options = new MergeOptions();
        // Task arithmetic as cat: the weighted sum exactly, at the sum of the ranks, with no SVD to lose any of it.
        options.method = kind == MergeMethod.LINEAR ? MergeMethod.CAT.cliName() : kind.cliName();
        options.weights = java.util.Arrays.stream(weights).boxed().toList();
        if (kind != MergeMethod.LINEAR) {
            options.density = List.of(density);
            options.seed = seed;
            options.rank = rank;
        }
        MergePlan plan = MergePlan.of(options, adapters.size());
        AdapterMerge.run(plan, adapters, target, false, false, scope.context(), spec.commandLine().getErr());
    }

    /** The merged model's loss on {@code buffer} at weights α [adapter][group]. */
    private double lossAt(AdaptiveMerge adaptive, double[][] alphas, Buffer buffer) {
        int groups = alphas[0].length;
        double[] flat = new double[alphas.length * groups];
        for (int i = 0; i < alphas.length; i++) System.arraycopy(alphas[i], 0, flat, i * groups, groups);
        return LoraHubTuning.loss(adaptive, coefficientOptions.recipe().granularity(), buffer, flat, groups);
    }

    private static <T> T parse(String option, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new InputException(option, e.getMessage());
        }
    }
}
