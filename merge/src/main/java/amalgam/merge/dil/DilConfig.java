package amalgam.merge.dil;

import amalgam.engine.nn.TinyViT;
import amalgam.merge.adaptive.CoefficientRecipe;
import amalgam.merge.adaptive.Granularity;
import amalgam.merge.algorithms.MergeMethod;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sizes and settings of one domain-incremental study. The presets differ only in sizes: {@link #full} for
 * {@code amalgam dil}, {@link #quick} for {@code --quick}, {@link #demo} for {@code amalgam demo} (measured to
 * finish within 5 minutes on 2 cores), {@link #tiny} for tests; all learn coefficients the study's way
 * ({@link CoefficientRecipe#study}) unless {@link #withCoefficients} says otherwise.
 *
 * @param trainPerDomain training images per domain (a seeded subset; the buffer is drawn from them)
 * @param testPerDomain test images per domain
 * @param jointEpochs epochs of the joint LoRA over the union of all domains' training images
 * @param fixedWeights the fixed coefficients W, every adapter weighted W
 * @param bMaxValues the adaptive runs' b_max
 * @param traceKind, traceBMax the adaptive merge whose learned weights the per-experience table shows and
 *                   which the random-LoRA control repeats
 * @param coefficients how the adaptive merges learn their coefficients, for every b_max of {@code bMaxValues}
 */
public record DilConfig(String dataset, int trainPerDomain, int testPerDomain, double pretrainEpochs,
                        double loraEpochs, double jointEpochs, int rank, double pretrainLearningRate, double loraLearningRate,
                        int samplesPerClass, int coefficientSteps, double coefficientLearningRate,
                        int newLoraSteps, List<Long> seeds, List<Integer> fixedWeights, List<Integer> bMaxValues,
                        double tiesDensity, double dareDensity, MergeMethod traceKind, int traceBMax,
                        CoefficientRecipe coefficients) {

    private static final List<Integer> STUDY_VALUES = List.of(1, 3, 5);

    public static DilConfig full(String dataset, List<Long> seeds, int spc) {
        return new DilConfig(dataset, 60_000, 10_000, 10, 3, 3, 8, 2e-3, 3e-3, spc, 100, 0.05, 200, seeds,
                STUDY_VALUES, STUDY_VALUES, 0.5, 0.5, MergeMethod.TIES, 3,
                CoefficientRecipe.study());
    }

    public static DilConfig quick(String dataset, List<Long> seeds, int spc) {
        return new DilConfig(dataset, 4_000, 1_000, 4, 1, 1, 8, 2e-3, 3e-3, spc, 40, 0.05, 100, seeds,
                STUDY_VALUES, STUDY_VALUES, 0.5, 0.5, MergeMethod.TIES, 3,
                CoefficientRecipe.study());
    }

    public static DilConfig demo(List<Long> seeds, int spc) {
        // 500 test images per domain: five seeds of 36 merges each, evaluated on every domain seen, fit the
        // demo's five minutes on a 2-core machine; the seed-to-seed spread (about 2 points) exceeds the
        // sampling error this adds (about 1 point on the four-domain mean).
        return new DilConfig("embedded", 4_000, 500, 4, 3, 1, 8, 2e-3, 5e-3, spc, 40, 0.1, 100, seeds,
                STUDY_VALUES, STUDY_VALUES, 0.5, 0.5, MergeMethod.TIES, 3,
                CoefficientRecipe.study());
    }

    /** Seconds-long, for end-to-end tests of the pipeline (the numbers mean nothing). */
    public static DilConfig tiny(List<Long> seeds) {
        return new DilConfig("embedded", 120, 20, 0.5, 0.5, 0.5, 8, 2e-3, 3e-3, 1, 3, 0.05, 3, seeds,
                STUDY_VALUES, STUDY_VALUES, 0.5, 0.5, MergeMethod.TIES, 3,
                CoefficientRecipe.study());
    }

    /**
     * This study with at most as many images per domain as {@code data} has, so that the configuration reported
     * with the results says what ran (the full-size preset asks for 60,000; the embedded subset has 10,000).
     */
    public DilConfig fittedTo(amalgam.engine.data.FashionMnist data) {
        return new DilConfig(dataset, Math.min(trainPerDomain, data.train().size()),
                Math.min(testPerDomain, data.test().size()), pretrainEpochs, loraEpochs, jointEpochs, rank,
                pretrainLearningRate, loraLearningRate, samplesPerClass, coefficientSteps, coefficientLearningRate,
                newLoraSteps, seeds, fixedWeights, bMaxValues, tiesDensity, dareDensity, traceKind, traceBMax,
                coefficients);
    }

    /** This study with coefficients learned as {@code recipe} says. */
    public DilConfig withCoefficients(CoefficientRecipe recipe) {
        return new DilConfig(dataset, trainPerDomain, testPerDomain, pretrainEpochs, loraEpochs, jointEpochs, rank,
                pretrainLearningRate, loraLearningRate, samplesPerClass, coefficientSteps, coefficientLearningRate,
                newLoraSteps, seeds, fixedWeights, bMaxValues, tiesDensity, dareDensity, traceKind, traceBMax, recipe);
    }

    /**
     * What the per-experience weights are: with one coefficient per adapter and module, each adapter's weight is
     * the mean over the modules, which the tables and plots must say.
     */
    public String traceWeightsMeaning() {
        return coefficients.granularity() == Granularity.ADAPTER ? "learned weight of each adapter"
                : "learned weight of each adapter (mean over its " + TinyViT.ATTENTION_PROJECTIONS.size() + " modules)";
    }

    /** The "config" object of the JSON results. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        m.put("domains", java.util.Arrays.stream(Domain.values()).map(Domain::id).toList());
        m.put("seeds", seeds);
        m.put("spc", samplesPerClass);
        m.put("train_per_domain", trainPerDomain);
        m.put("test_per_domain", testPerDomain);
        m.put("pretrain_epochs", pretrainEpochs);
        m.put("lora_epochs", loraEpochs);
        m.put("joint_epochs", jointEpochs);
        m.put("lora_rank", rank);
        m.put("lora_alpha", 2 * rank);
        m.put("lora_modules", TinyViT.ATTENTION_PROJECTIONS);
        m.put("coefficient_steps", coefficientSteps);
        m.put("coefficient_lr", coefficientLearningRate);
        m.putAll(coefficients.asMap());
        m.put("compared_activation", adaptiveRows().get(1).recipe().activation().cliName());
        m.put("lego_svd_rank", rank);
        m.put("ties_density", tiesDensity);
        m.put("dare_density", dareDensity);
        m.put("new_lora_steps", newLoraSteps);
        m.put("trace", traceKind.cliName() + " adaptive b_max=" + traceBMax);
        return m;
    }

    /** The adaptive rows: the chosen recipe's, then the other parameterisation's ({@link AdaptiveRows#of}). */
    public List<AdaptiveRows> adaptiveRows() {
        return AdaptiveRows.of(coefficients);
    }

    /**
     * The fixed-W rows, in table order: the learnable merges (task arithmetic, TIES, DARE-TIES), then the merges
     * of whole factors ({@link FactorMerge}: lego and svd at the adapters' rank, cat at t·r).
     */
    public List<String> fixedMethods() {
        List<String> out = new java.util.ArrayList<>();
        for (MergeMethod kind : MergeMethod.learnable()) out.add(kind.reportName());
        for (FactorMerge merge : FactorMerge.values()) out.add(merge.cliName());
        return out;
    }

    public double density(MergeMethod kind) {
        return kind == MergeMethod.DARE_TIES ? dareDensity : tiesDensity;
    }
}
