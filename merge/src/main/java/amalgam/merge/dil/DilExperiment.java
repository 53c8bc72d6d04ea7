package amalgam.merge.dil;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.data.FashionMnist;
import amalgam.engine.data.ImageDataset;
import amalgam.engine.nn.TinyViT;
import amalgam.merge.adaptive.AdaptiveMerge;
import amalgam.merge.adaptive.Buffer;
import amalgam.merge.adaptive.LabelledImages;
import amalgam.merge.adaptive.CoefficientTraining;
import amalgam.merge.adaptive.Coefficients;
import amalgam.merge.adaptive.Granularity;
import amalgam.merge.algorithms.MergeMethod;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One seed of the domain-incremental study. A TinyViT is pre-trained on the first domain; at experience t a
 * LoRA is trained on domain t, {@code spc} of its training images per class join the memory buffer, and
 * adapters 1..t are merged (task arithmetic, TIES, DARE-TIES with fixed W or coefficients learned on the buffer
 * in two parameterisations; lego, svd and cat of the factors with fixed W) and evaluated on the test sets of the
 * domains seen. The baselines run after the last experience.
 */
public final class DilExperiment {

    private final DilConfig config;
    private final List<DomainData> domains;
    private final TrainingProgress progress;
    private final PrintWriter log;

    public DilExperiment(DilConfig config, List<DomainData> domains, TrainingProgress progress, PrintWriter log) {
        this.config = config;
        this.domains = domains;
        this.progress = progress;
        this.log = log;
    }

    /** The four domains from {@code data}, subsets drawn with a fixed seed so every seed sees the same images. */
    public static List<DomainData> domains(FashionMnist data, DilConfig config) {
        List<DomainData> out = new ArrayList<>();
        for (Domain d : Domain.values()) {
            out.add(DomainData.of(d, data.train(), data.test(), config.trainPerDomain(), config.testPerDomain(), 0));
        }
        return out;
    }

    public SeedResult run(long seed) {
        return run(seed, null, false);
    }

    /**
     * One seed; with {@code saveModels}, its base, LoRAs, final buffer and some test images are also written
     * there ({@link StudyExport}), replacing an existing directory only with {@code force}.
     */
    public SeedResult run(long seed, java.nio.file.Path saveModels, boolean force) {
        SeedResult result = SeedResult.empty(seed);
        long started = System.nanoTime();
        TinyViT base = ModelTraining.pretrain(domains.getFirst().train(), config.pretrainEpochs(),
                config.pretrainLearningRate(), seed, progress);
        stage("base on " + domains.getFirst().domain().id() + ", test " + format(
                Evaluation.accuracy(base, Map.of(), domains.getFirst())) + "%", started);

        List<LoraFactors> loras = new ArrayList<>();
        List<int[]> bufferParts = new ArrayList<>();
        int count = domains.size();
        for (int t = 0; t < count; t++) {
            long experienceStart = System.nanoTime();
            DomainData domain = domains.get(t);
            loras.add(ModelTraining.trainLora(base, domain.train(), config.rank(), config.loraEpochs(),
                    config.loraLearningRate(), seed * 31 + t, "LoRA " + (t + 1) + " (" + domain.domain().id() + ")", progress));
            bufferParts.add(domain.bufferIndices(config.samplesPerClass(), TinyViT.CLASSES, seed * 17 + t));
            ImageDataset buffer = buffer(t, bufferParts);
            mergeAndEvaluate(result, base, loras, buffer, t, seed);
            // The adapter alone on its own domain: what a merge could at best keep of it.
            double alone = Evaluation.accuracy(base, withDeltas(base, loras.getLast().deltas()), domain);
            stage("experience " + (t + 1) + "/" + count + " (" + domain.domain().id() + ", its LoRA alone "
                    + format(alone) + "%)", experienceStart);
        }
        if (saveModels != null) save(saveModels, force, seed, base, loras, bufferParts);
        long baselineStart = System.nanoTime();
        baselines(result, base, loras, buffer(count - 1, bufferParts), seed);
        stage("baselines", baselineStart);
        return result;
    }

    private void mergeAndEvaluate(SeedResult result, TinyViT base, List<LoraFactors> loras, ImageDataset buffer,
                                  int t, long seed) {
        boolean last = t == domains.size() - 1;
        List<Map<String, Tensor>> deltas = loras.stream().map(LoraFactors::deltas).toList();
        Tensor bufferImages = bufferImages(buffer);
        int[] bufferLabels = buffer.labels(DomainData.all(buffer.size()));
        List<AdaptiveRows> rows = config.adaptiveRows();
        int merges = MergeMethod.learnable().size() * rows.size() * config.bMaxValues().size();
        // One progress line (or bar) for all of an experience's coefficient runs: each takes a fraction of a
        // second, and one line per run buried the study's progress under a hundred of them.
        try (TrainingProgress.Loop loop = progress.start("coefficients @" + (t + 1) + " (" + merges + " merges)",
                merges * config.coefficientSteps())) {
            for (MergeMethod kind : MergeMethod.learnable()) {
                AdaptiveMerge merge = new AdaptiveMerge(base, TinyViT.ATTENTION_PROJECTIONS, deltas, kind,
                        config.density(kind), seed);
                for (int w : config.fixedWeights()) {
                    Tensor alphas = Tensor.full(DType.F32, w, deltas.size(), 1).toPersistent();
                    Map<String, Tensor> weights = Evaluation.frozen(() -> merge.mergedWeights(alphas, Granularity.ADAPTER));
                    recordFixed(result, kind.reportName(), w, t, seenAccuracy(base, weights, t));
                }
                for (AdaptiveRows row : rows) {
                    for (int bMax : config.bMaxValues()) {
                        Coefficients coefficients = learn(merge, bufferImages, bufferLabels, row, bMax, loop);
                        Map<String, Tensor> weights = Evaluation.frozen(() -> merge.mergedWeights(
                                coefficientsNow(coefficients), row.recipe().granularity()));
                        double[] accuracy = seenAccuracy(base, weights, t);
                        result.curves().computeIfAbsent(row.curveLabel(kind.reportName(), bMax),
                                k -> new double[domains.size()])[t] = mean(accuracy);
                        if (last) {
                            result.adaptive().computeIfAbsent(row.group(), k -> new LinkedHashMap<>())
                                    .computeIfAbsent(kind.reportName(), k -> new LinkedHashMap<>()).put(bMax, mean(accuracy));
                        }
                        if (row.chosen() && kind == config.traceKind() && bMax == config.traceBMax()) {
                            result.traceWeights().add(weightPerAdapter(coefficients.values()));
                            Map<String, Double> perDomain = new LinkedHashMap<>();
                            for (int d = 0; d <= t; d++) perDomain.put(domains.get(d).domain().id(), accuracy[d]);
                            result.traceDomainAccuracy().add(perDomain);
                        }
                    }
                }
            }
        }
        for (FactorMerge merge : FactorMerge.values()) {
            for (int w : config.fixedWeights()) {
                Map<String, Tensor> weights = withDeltas(base, merge.deltas(loras, w, config.rank(), seed));
                recordFixed(result, merge.cliName(), w, t, seenAccuracy(base, weights, t));
            }
        }
    }

    /** A fixed-W row's accuracy at experience t: its curve point, and at the last experience its table cell. */
    private void recordFixed(SeedResult result, String method, int w, int t, double[] accuracy) {
        result.curves().computeIfAbsent(SeedResult.fixedLabel(method, w), k -> new double[domains.size()])[t] = mean(accuracy);
        if (t == domains.size() - 1) {
            result.fixed().computeIfAbsent(method, k -> new LinkedHashMap<>()).put(w, mean(accuracy));
        }
    }

    private void baselines(SeedResult result, TinyViT base, List<LoraFactors> loras, ImageDataset buffer,
                           long seed) {
        int count = domains.size();
        double bufferEpochs = (double) config.newLoraSteps() / Math.ceil(buffer.size() / (double) ModelTraining.BATCH);
        LoraFactors onBuffer = ModelTraining.trainLora(base, buffer, config.rank(), bufferEpochs,
                config.loraLearningRate(), seed * 31 + 101, "new LoRA on the buffer", progress);
        result.baselines().put("new_lora", finalAccuracy(base, withDeltas(base, onBuffer.deltas())));

        LoraFactors joint = ModelTraining.trainLora(base, union(), config.rank(), config.jointEpochs(),
                config.loraLearningRate(), seed * 31 + 102, "joint LoRA", progress);
        result.baselines().put("joint_lora", finalAccuracy(base, withDeltas(base, joint.deltas())));

        Random random = new Random(seed * 31 + 103);
        List<Map<String, Tensor>> control = new ArrayList<>();
        for (int i = 0; i < count - 1; i++) control.add(LoraFactors.randomLike(loras.get(i), random).deltas());
        control.add(loras.getLast().deltas());
        AdaptiveMerge merge = new AdaptiveMerge(base, TinyViT.ATTENTION_PROJECTIONS, control, config.traceKind(),
                config.density(config.traceKind()), seed);
        AdaptiveRows chosen = config.adaptiveRows().getFirst();
        Coefficients coefficients;
        try (TrainingProgress.Loop loop = progress.start("random-LoRA control", config.coefficientSteps())) {
            coefficients = learn(merge, bufferImages(buffer), buffer.labels(DomainData.all(buffer.size())), chosen,
                    config.traceBMax(), loop);
        }
        Map<String, Tensor> weights = Evaluation.frozen(() -> merge.mergedWeights(coefficientsNow(coefficients),
                chosen.recipe().granularity()));
        result.baselines().put("random_loras", mean(seenAccuracy(base, weights, count - 1)));
    }

    private void save(java.nio.file.Path target, boolean force, long seed, TinyViT base, List<LoraFactors> loras,
                      List<int[]> bufferParts) {
        List<String> names = new ArrayList<>();
        for (int d = 0; d < bufferParts.size(); d++) {
            for (int index : bufferParts.get(d)) names.add(String.format(Locale.ROOT, "%s-%05d", domains.get(d).domain().id(), index));
        }
        long start = System.nanoTime();
        try {
            StudyExport.write(target, force, seed, base, loras, domains, buffer(bufferParts.size() - 1, bufferParts), names);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(target + ": " + e.getMessage(), e);
        }
        stage("models saved to " + target, start);
    }

    /** Coefficients for {@code merge} learned on the buffer as {@code row} says, reporting each step to {@code loop}. */
    private Coefficients learn(AdaptiveMerge merge, Tensor images, int[] labels, AdaptiveRows row, int bMax,
                               TrainingProgress.Loop loop) {
        Coefficients coefficients = new Coefficients(row.recipe().settings(bMax), merge.adapterCount(),
                merge.modules().size(), DType.F32);
        Buffer buffer = new LabelledImages(merge.model()::forward, images, labels, row.recipe().objective());
        CoefficientTraining.train(merge, coefficients, buffer, config.coefficientSteps(),
                config.coefficientLearningRate(), (step, loss) -> loop.step(loss));
        return coefficients;
    }

    /** α [adapter][group] → one weight per adapter: the mean over its groups (its only one per adapter). */
    static double[] weightPerAdapter(double[][] alphas) {
        double[] out = new double[alphas.length];
        for (int i = 0; i < out.length; i++) out[i] = mean(alphas[i]);
        return out;
    }

    private static Tensor coefficientsNow(Coefficients coefficients) {
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            return coefficients.weights().toPersistent();
        }
    }

    /** Accuracy (%) on each domain seen up to experience t with {@code weights} substituted. */
    private double[] seenAccuracy(TinyViT base, Map<String, Tensor> weights, int t) {
        double[] out = new double[t + 1];
        for (int d = 0; d <= t; d++) out[d] = Evaluation.accuracy(base, weights, domains.get(d));
        return out;
    }

    private double finalAccuracy(TinyViT base, Map<String, Tensor> weights) {
        double sum = 0;
        for (DomainData d : domains) sum += Evaluation.accuracy(base, weights, d);
        return sum / domains.size();
    }

    /** W0 + ΔW for each module of {@code deltas}, as persistent weights. */
    private static Map<String, Tensor> withDeltas(TinyViT base, Map<String, Tensor> deltas) {
        Map<String, Tensor> parameters = base.namedParameters();
        return Evaluation.frozen(() -> {
            Map<String, Tensor> w = new LinkedHashMap<>();
            deltas.forEach((m, d) -> w.put(m, parameters.get(m + ".weight").add(d)));
            return w;
        });
    }

    private ImageDataset buffer(int upTo, List<int[]> parts) {
        List<ImageDataset> sources = new ArrayList<>();
        List<int[]> indices = new ArrayList<>();
        for (int d = 0; d <= upTo; d++) {
            sources.add(domains.get(d).train());
            indices.add(parts.get(d));
        }
        return Datasets.concat(sources, indices);
    }

    private ImageDataset union() {
        List<ImageDataset> sources = new ArrayList<>();
        List<int[]> indices = new ArrayList<>();
        for (DomainData d : domains) {
            sources.add(d.train());
            indices.add(DomainData.all(d.train().size()));
        }
        return Datasets.concat(sources, indices);
    }

    private static Tensor bufferImages(ImageDataset buffer) {
        return buffer.images(DomainData.all(buffer.size())).toPersistent();
    }

    static double mean(double[] values) {
        double s = 0;
        for (double v : values) s += v;
        return s / values.length;
    }

    private void stage(String what, long startNanos) {
        log.printf(Locale.ROOT, "%s: %.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
        log.flush();
    }

    private static String format(double percent) {
        return String.format(Locale.ROOT, "%.1f", percent);
    }
}
