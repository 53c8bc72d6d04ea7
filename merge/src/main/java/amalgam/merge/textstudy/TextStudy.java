package amalgam.merge.textstudy;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.models.llama.LlamaForCausalLM;
import amalgam.engine.nn.Module;
import amalgam.engine.nn.WeightSubstitution;
import amalgam.engine.optim.AdamW;
import amalgam.merge.adaptive.AdaptiveMerge;
import amalgam.merge.adaptive.CoefficientRecipe;
import amalgam.merge.adaptive.CoefficientTraining;
import amalgam.merge.adaptive.Coefficients;
import amalgam.merge.adaptive.Granularity;
import amalgam.merge.algorithms.MergeMethod;
import amalgam.merge.adaptive.TokenBuffer;
import amalgam.merge.adaptive.TokenBuffer.Sequence;
import amalgam.merge.dil.LoraFactors;
import amalgam.merge.dil.ModelTraining;
import amalgam.merge.dil.TrainingProgress;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One seed of the text study. The byte-level decoder is pre-trained on the first text; a LoRA is trained on each
 * other text; a memory buffer takes a few windows of each; then every row below is measured as bits per byte on
 * every text's held-out split:
 * <ul>
 *   <li>{@code base}, and each LoRA alone;</li>
 *   <li>{@code task_arithmetic W=1}: the LoRAs summed;</li>
 *   <li>{@code ties adaptive}: TIES with one weight per adapter learned on the buffer (sigmoid·b, b_max 3);</li>
 *   <li>{@code ties adaptive, random LoRAs}: the same with random LoRAs of the real ones' norms, module by module
 *       (the recycling study's control: what is left is the effect of the coefficients alone);</li>
 *   <li>{@code new LoRA on the buffer}: one LoRA trained on the buffer itself, for as many steps as the
 *       coefficients get; {@code , long}: for as many as each domain LoRA (a buffer this small is overfitted);</li>
 *   <li>{@code joint LoRA}: one LoRA trained on all the LoRA texts' training splits, the reference.</li>
 * </ul>
 */
public final class TextStudy {

    /** The rows, in report order ({@code lora TEXT} rows follow {@code base}). */
    public static final String BASE = "base", SUM = "task_arithmetic W=1", ADAPTIVE = "ties adaptive",
            RANDOM = "ties adaptive, random LoRAs", NEW_LORA = "new LoRA on the buffer",
            NEW_LORA_LONG = "new LoRA on the buffer, long", JOINT = "joint LoRA";

    private final TextStudyConfig config;
    private final List<LicenceTexts> texts;
    private final TrainingProgress progress;
    private final PrintWriter log;

    public TextStudy(TextStudyConfig config, TrainingProgress progress, PrintWriter log) {
        this.config = config;
        this.texts = config.texts().stream().map(name -> LicenceTexts.read(config.corpus(), name)).toList();
        this.progress = progress;
        this.log = log;
    }

    /** One seed's rows: row → text → bits per byte on its held-out split; and the learned weights. */
    public record SeedResult(long seed, Map<String, Map<String, Double>> bitsPerByte,
                             Map<String, double[]> learnedWeights) {}

    public SeedResult run(long seed) {
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        Map<String, double[]> weights = new LinkedHashMap<>();
        long start = System.nanoTime();
        LlamaForCausalLM model = pretrain(seed);
        Module module = model.module();
        rows.put(BASE, evaluate(model, Map.of()));
        stage("base pre-trained on " + config.pretrainText() + ", " + format(rows.get(BASE)), start);

        List<String> targets = config.loraModules();
        List<LicenceTexts> loraTexts = texts.subList(1, texts.size());
        List<LoraFactors> loras = new ArrayList<>();
        List<Sequence> buffer = new ArrayList<>();
        Random windows = new Random(seed * 31 + 7);
        for (int d = 0; d < loraTexts.size(); d++) {
            long loraStart = System.nanoTime();
            LicenceTexts text = loraTexts.get(d);
            Random batches = new Random(seed * 31 + d);
            loras.add(ModelTraining.trainLora(module, targets, config.rank(), config.loraSteps(),
                    config.loraLearningRate(), seed * 31 + d, "LoRA on " + text.name(), progress,
                    step -> new TokenBuffer(model, text.trainingWindows(config.batch(), config.window(), batches))));
            buffer.addAll(text.trainingWindows(config.bufferPerText(), config.window(), windows));
            Map<String, Double> alone = evaluate(model, withDeltas(module, loras.getLast().deltas()));
            rows.put("lora " + text.name() + " alone", alone);
            stage("LoRA on " + text.name() + ", " + format(alone), loraStart);
        }
        TokenBuffer memory = new TokenBuffer(model, buffer);

        long mergeStart = System.nanoTime();
        List<Map<String, Tensor>> deltas = loras.stream().map(LoraFactors::deltas).toList();
        AdaptiveMerge ties = new AdaptiveMerge(module, targets, deltas, MergeMethod.TIES, config.tiesDensity(), seed);
        AdaptiveMerge sum = new AdaptiveMerge(module, targets, deltas, MergeMethod.LINEAR, 1, seed);
        Tensor ones = Tensor.full(DType.F32, 1, loras.size(), 1).toPersistent();
        rows.put(SUM, evaluate(model, frozen(() -> sum.mergedWeights(ones, Granularity.ADAPTER))));
        Coefficients learned = learn(ties, memory, "coefficients, real LoRAs");
        rows.put(ADAPTIVE, evaluate(model, frozen(() -> ties.mergedWeights(learned.weights(), Granularity.ADAPTER))));
        weights.put(ADAPTIVE, perAdapter(learned.values()));

        Random random = new Random(seed * 31 + 103);
        List<Map<String, Tensor>> control = loras.stream().map(l -> LoraFactors.randomLike(l, random).deltas()).toList();
        AdaptiveMerge randomTies = new AdaptiveMerge(module, targets, control, MergeMethod.TIES, config.tiesDensity(), seed);
        Coefficients controlWeights = learn(randomTies, memory, "coefficients, random LoRAs");
        rows.put(RANDOM, evaluate(model, frozen(() -> randomTies.mergedWeights(controlWeights.weights(), Granularity.ADAPTER))));
        weights.put(RANDOM, perAdapter(controlWeights.values()));
        stage("merges: " + ADAPTIVE + " " + format(rows.get(ADAPTIVE)) + "; random LoRAs " + format(rows.get(RANDOM)), mergeStart);

        long baselineStart = System.nanoTime();
        LoraFactors onBuffer = ModelTraining.trainLora(module, targets, config.rank(), config.coefficientSteps(),
                config.loraLearningRate(), seed * 31 + 101, "new LoRA on the buffer", progress, step -> memory);
        rows.put(NEW_LORA, evaluate(model, withDeltas(module, onBuffer.deltas())));
        LoraFactors onBufferLong = ModelTraining.trainLora(module, targets, config.rank(), config.loraSteps(),
                config.loraLearningRate(), seed * 31 + 101, "new LoRA on the buffer, long", progress, step -> memory);
        rows.put(NEW_LORA_LONG, evaluate(model, withDeltas(module, onBufferLong.deltas())));
        Random jointBatches = new Random(seed * 31 + 102);
        LoraFactors joint = ModelTraining.trainLora(module, targets, config.rank(), config.jointSteps(),
                config.loraLearningRate(), seed * 31 + 102, "joint LoRA", progress, step -> {
                    List<Sequence> batch = new ArrayList<>();
                    for (int i = 0; i < config.batch(); i++) {
                        batch.addAll(loraTexts.get(jointBatches.nextInt(loraTexts.size()))
                                .trainingWindows(1, config.window(), jointBatches));
                    }
                    return new TokenBuffer(model, batch);
                });
        rows.put(JOINT, evaluate(model, withDeltas(module, joint.deltas())));
        stage("baselines: new LoRA " + format(rows.get(NEW_LORA)) + "; joint " + format(rows.get(JOINT)), baselineStart);
        return new SeedResult(seed, rows, weights);
    }

    /** The decoder from scratch on windows of the pre-training text (AdamW, cosine schedule), then frozen. */
    private LlamaForCausalLM pretrain(long seed) {
        LlamaForCausalLM model = new LlamaForCausalLM("LlamaForCausalLM", config.decoder(), new InitialWeights(seed));
        List<Tensor> parameters = new ArrayList<>(model.module().namedParameters().values());
        parameters.forEach(p -> p.requiresGrad(true));
        AdamW optimizer = new AdamW(parameters, config.pretrainLearningRate());
        Random batches = new Random(seed);
        LicenceTexts text = texts.getFirst();
        ModelTraining.run("pre-training on " + text.name(), config.pretrainSteps(), config.pretrainLearningRate(),
                optimizer, progress, step -> new TokenBuffer(model, text.trainingWindows(config.batch(),
                        config.window(), batches)).loss());
        parameters.forEach(p -> p.requiresGrad(false)); // from here on only adapters and coefficients learn
        return model;
    }

    private Coefficients learn(AdaptiveMerge merge, TokenBuffer buffer, String name) {
        CoefficientRecipe recipe = CoefficientRecipe.study();
        Coefficients coefficients = new Coefficients(recipe.settings(config.bMax()), merge.adapterCount(),
                merge.modules().size(), DType.F32);
        try (TrainingProgress.Loop loop = progress.start(name, config.coefficientSteps())) {
            CoefficientTraining.train(merge, coefficients, buffer, config.coefficientSteps(),
                    config.coefficientLearningRate(), (step, loss) -> loop.step(loss));
        }
        return coefficients;
    }

    /** Bits per byte on each text's held-out split with {@code weights} substituted (none: the base). */
    private Map<String, Double> evaluate(LlamaForCausalLM model, Map<String, Tensor> weights) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (LicenceTexts text : texts) {
            List<Sequence> windows = text.testWindows(config.window());
            double nats = 0;
            long tokens = 0;
            for (int from = 0; from < windows.size(); from += 64) {
                TokenBuffer batch = new TokenBuffer(model, windows.subList(from, Math.min(windows.size(), from + 64)));
                try (var _ = Engine.noGrad(); var _ = Engine.step(); var _ = WeightSubstitution.of(model.module(), weights)) {
                    nats += batch.loss().item() * batch.scoredTokens();
                }
                tokens += batch.scoredTokens();
            }
            out.put(text.name(), nats / tokens / Math.log(2));
        }
        return out;
    }

    private static Map<String, Tensor> withDeltas(Module base, Map<String, Tensor> deltas) {
        return frozen(() -> {
            Map<String, Tensor> w = new LinkedHashMap<>();
            deltas.forEach((m, d) -> w.put(m, base.linear(m).weight().add(d)));
            return w;
        });
    }

    private static Map<String, Tensor> frozen(java.util.function.Supplier<Map<String, Tensor>> weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            weights.get().forEach((m, w) -> out.put(m, w.toPersistent()));
        }
        return out;
    }

    private static double[] perAdapter(double[][] alphas) {
        double[] out = new double[alphas.length];
        for (int i = 0; i < out.length; i++) out[i] = alphas[i][0];
        return out;
    }

    private String format(Map<String, Double> bits) {
        StringBuilder s = new StringBuilder();
        bits.forEach((text, b) -> s.append(s.isEmpty() ? "" : ", ").append(text).append(' ')
                .append(String.format(Locale.ROOT, "%.2f", b)));
        return s + " bits/byte";
    }

    private void stage(String what, long startNanos) {
        log.printf(Locale.ROOT, "%s: %.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
        log.flush();
    }
}
