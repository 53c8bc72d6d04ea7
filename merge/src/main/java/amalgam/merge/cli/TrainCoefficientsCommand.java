package amalgam.merge.cli;

import amalgam.engine.DType;
import amalgam.engine.Tensor;
import amalgam.engine.data.IdxFile;
import amalgam.engine.data.ImageDataset;
import amalgam.engine.nn.TinyViT;
import amalgam.kernels.WorkerPool;
import amalgam.engine.InputException;
import amalgam.merge.adaptive.AdaptiveMerge;
import amalgam.merge.adaptive.CoefficientRecipe;
import amalgam.merge.adaptive.CoefficientSettings;
import amalgam.merge.adaptive.CoefficientTraining;
import amalgam.merge.adaptive.Coefficients;
import amalgam.merge.adaptive.Granularity;
import amalgam.merge.adaptive.LoraHubSearch;
import amalgam.merge.adaptive.LoraHubTuning;
import amalgam.merge.adaptive.MergeKind;
import amalgam.merge.adaptive.Objective;
import amalgam.merge.adaptive.PeftDeltas;
import amalgam.merge.adaptive.TinyVitCheckpoint;
import amalgam.engine.io.AtomicOutput;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
 * {@code amalgam train-coefficients}: learns merge coefficients for PEFT adapters of a TinyViT on a labelled
 * buffer, by gradient through the merge, and writes them (coefficients.json) with the merged adapter.
 */
@Command(name = "train-coefficients",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
                "Learn merging coefficients for LoRA adapters of a TinyViT on a small labelled buffer: by default "
                        + "alpha_i = sigmoid(c_i) * b, b = 1 + (b_max - 1) * sigmoid(beta), c and beta trained by "
                        + "Adam through the merge (TIES/DARE masks fixed from the unweighted updates).",
                "",
                "Writes OUT/coefficients.json and, with one weight per adapter, the merged adapter OUT/adapter made "
                        + "by `amalgam merge` with the learned weights: task arithmetic as the exact `cat` merge; "
                        + "TIES and DARE-TIES as `ties`/`dare_ties` (same density, seed and DARE masks), whose dense "
                        + "result is refactored to --rank, so it approximates the merge the coefficients were "
                        + "learned through.",
                "",
                "Example:",
                "  amalgam train-coefficients --base vit.safetensors \\",
                "      --buffer-images b-images-idx3-ubyte --buffer-labels b-labels-idx1-ubyte \\",
                "      --merge ties --b-max 3 --out learned a/ b/ c/",
                ""})
public final class TrainCoefficientsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ADAPTER", arity = "1..*", description = "PEFT LoRA adapter directories.")
    List<Path> adapters;

    @Option(names = "--base", paramLabel = "FILE", required = true, order = 1,
            description = "TinyViT checkpoint (safetensors, parameter names as TinyViT's).")
    Path base;

    @Option(names = "--buffer-images", paramLabel = "FILE", required = true, order = 2,
            description = "Buffer images, IDX [n, 28, 28] unsigned bytes (gzip allowed).")
    Path bufferImages;

    @Option(names = "--buffer-labels", paramLabel = "FILE", required = true, order = 3,
            description = "Buffer labels, IDX [n] (ignored by --objective entropy).")
    Path bufferLabels;

    @Option(names = "--merge", paramLabel = "task_arithmetic|ties|dare_ties", defaultValue = "ties", order = 4,
            description = "task_arithmetic, ties or dare_ties. Default: ${DEFAULT-VALUE}.")
    String merge;

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
        MergeKind kind = parse("--merge", () -> MergeKind.parse(merge));
        CoefficientRecipe recipe = coefficientOptions.recipe();
        CoefficientSettings settings = parse("--b-max", () -> recipe.settings(bMax));
        Objective loss = recipe.objective();
        if (steps < 0) throw new InputException("--steps", "must not be negative, got " + steps);
        if (!optimizer.equals("adam") && !optimizer.equals("cma-es")) {
            throw new InputException("--optimizer", "expected adam or cma-es, got '" + optimizer + "'");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        try (AtomicOutput output = AtomicOutput.begin(out, force); WorkerPool pool = compute.pool()) {
            TinyViT model = TinyVitCheckpoint.read(base);
            List<Map<String, Tensor>> deltas = new ArrayList<>();
            for (Path a : adapters) deltas.add(PeftDeltas.read(a, model.namedParameters()));
            List<String> modules = List.copyOf(deltas.getFirst().keySet());
            for (int i = 1; i < deltas.size(); i++) {
                if (!deltas.get(i).keySet().equals(deltas.getFirst().keySet())) {
                    throw new InputException(adapters.get(i).toString(), "adapts modules " + deltas.get(i).keySet()
                            + ", but " + adapters.getFirst() + " adapts " + modules + ": learned merging needs the same modules");
                }
            }
            ImageDataset buffer = buffer();
            int[] all = new int[buffer.size()];
            for (int i = 0; i < all.length; i++) all[i] = i;
            Tensor images = buffer.images(all).toPersistent();
            int[] labels = buffer.labels(all);

            AdaptiveMerge adaptive = new AdaptiveMerge(model, modules, deltas, kind, density, seed);
            Coefficients coefficients = new Coefficients(settings, deltas.size(), modules.size(), DType.F32);
            double before, after;
            double[][] weights;
            if (optimizer.equals("adam")) {
                before = CoefficientTraining.loss(adaptive, coefficients, images, labels, loss);
                CoefficientTraining.train(adaptive, coefficients, images, labels, loss, steps, learningRate, null);
                after = CoefficientTraining.loss(adaptive, coefficients, images, labels, loss);
                weights = coefficients.values();
            } else {
                int groups = settings.granularity().groups(modules.size());
                before = LoraHubTuning.loss(adaptive, settings.granularity(), images, labels, loss,
                        new double[deltas.size() * groups], groups);
                LoraHubSearch.Result found = LoraHubTuning.tune(adaptive, settings.granularity(), images, labels, loss, seed);
                weights = new double[deltas.size()][groups];
                for (int i = 0; i < deltas.size(); i++) System.arraycopy(found.weights(), i * groups, weights[i], 0, groups);
                after = LoraHubTuning.loss(adaptive, settings.granularity(), images, labels, loss, found.weights(), groups);
            }

            Map<String, Object> json = new LinkedHashMap<>();
            json.put("merge", kind.cliName());
            json.put("optimizer", optimizer);
            json.put("activation", recipe.activation().cliName());
            json.put("granularity", recipe.granularity().cliName());
            json.put("b_max", bMax);
            json.put("scale", recipe.scaleName());
            json.put("objective", recipe.objective().cliName());
            json.put("steps", steps);
            json.put("lr", learningRate);
            json.put("adapters", adapters.stream().map(Path::toString).toList());
            json.put("modules", modules);
            json.put("weights", weights);
            if (optimizer.equals("adam")) json.put("b", coefficients.scale().item());
            json.put("loss", Map.of("before", before, "after", after));
            if (settings.granularity() == Granularity.ADAPTER) {
                double[] perAdapter = new double[weights.length];
                for (int i = 0; i < perAdapter.length; i++) perAdapter[i] = weights[i][0];
                mergedAdapter(kind, perAdapter, output.directory().resolve("adapter"));
                json.put("merged_adapter", "adapter");
            } else {
                json.put("merged_adapter", null); // PEFT merges take one weight per adapter, not per module
            }
            Files.writeString(output.directory().resolve("coefficients.json"),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n");
            output.commit();
            stdout.printf(Locale.ROOT, "loss %.4f -> %.4f; weights %s%n", before, after, java.util.Arrays.deepToString(weights));
            stdout.println("wrote " + out.toAbsolutePath());
            stdout.flush();
        }
        return 0;
    }

    /** Runs {@code amalgam merge} with the learned weights: the merged adapter in PEFT's format. */
    private void mergedAdapter(MergeKind kind, double[] weights, Path target) {
        StringBuilder w = new StringBuilder();
        for (double v : weights) w.append(w.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "%.8g", v));
        List<String> args = new ArrayList<>(List.of("merge", "--method",
                switch (kind) { case TASK_ARITHMETIC -> "cat"; case TIES -> "ties"; case DARE_TIES -> "dare_ties"; },
                "--weights", w.toString(), "--out", target.toString(), "--threads", Integer.toString(compute.threads),
                "--backend", compute.backend));
        if (kind != MergeKind.TASK_ARITHMETIC) {
            args.addAll(List.of("--density", Double.toString(density), "--seed", Long.toString(seed)));
            if (rank != null) args.addAll(List.of("--rank", Integer.toString(rank)));
        }
        adapters.forEach(a -> args.add(a.toString()));
        var cli = AmalgamCommand.newCommandLine();
        cli.setOut(spec.commandLine().getOut());
        cli.setErr(spec.commandLine().getErr());
        int code = cli.execute(args.toArray(String[]::new));
        if (code != 0) throw new IllegalStateException("amalgam merge " + String.join(" ", args) + " failed (exit " + code + ")");
    }

    private ImageDataset buffer() {
        try {
            ImageDataset data = ImageDataset.of(IdxFile.read(bufferImages), IdxFile.read(bufferLabels));
            if (data.pixelsPerImage() != TinyViT.IMAGE * TinyViT.IMAGE || data.size() == 0) {
                throw new InputException(bufferImages.toString(), "expected at least one 28×28 image");
            }
            return data;
        } catch (IOException | IllegalArgumentException e) {
            throw new InputException("--buffer-images/--buffer-labels", e.getMessage(), e);
        }
    }

    private static <T> T parse(String option, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new InputException(option, e.getMessage());
        }
    }
}
