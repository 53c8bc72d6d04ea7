package amalgam.merge.adaptive;

import amalgam.merge.algorithms.MergeMethod;
import static org.junit.jupiter.api.Assertions.assertTrue;

import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.models.Architectures;
import amalgam.engine.models.CausalLanguageModel;
import amalgam.engine.models.ImageClassifier;
import amalgam.engine.models.Sampler;
import amalgam.merge.adaptive.TokenBuffer.Sequence;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A buffer written by the base with adapter 1 merged in, adapter 2 unrelated noise: the weight learned for
 * adapter 1 must clearly dominate — on the transformers-made Llama fixture (sampled text) and the ViT fixture
 * (labels the merged classifier gives).
 */
class PlantedOptimumTest {

    static final Path HF = Path.of("../fixtures/hf");

    @Test
    void languageModel() {
        CausalLanguageModel model = Architectures.loadCausalLanguageModel(HF.resolve("llama-f32"));
        List<String> modules = new ArrayList<>();
        for (int layer = 0; layer < 2; layer++) {
            for (String m : List.of("self_attn.q_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.down_proj")) {
                modules.add("model.layers." + layer + "." + m);
            }
        }
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(model.module(), modules, 2, 0.15, 7);
        AdaptiveMerge merge = new AdaptiveMerge(model.module(), modules, adapters, MergeMethod.LINEAR, 1, 0);
        int[][] prompts = new int[24][];
        Arrays.fill(prompts, new int[] {382}); // the fixture's BOS (config.json bos_token_id)
        int[][] written;
        try (var _ = merge.substitute(alphas(1, 0), Granularity.ADAPTER)) {
            written = model.generate(prompts, 20, Sampler.sampling(1.0, 1.0, 11));
        }
        List<Sequence> sequences = new ArrayList<>();
        for (int[] continuation : written) {
            int[] ids = new int[1 + continuation.length];
            ids[0] = 382;
            System.arraycopy(continuation, 0, ids, 1, continuation.length);
            if (ids.length >= 2) sequences.add(Sequence.allTokens(ids));
        }
        double[][] learned = learn(merge, new TokenBuffer(model, sequences), modules.size());
        assertTrue(learned[0][0] > 0.75 && learned[0][0] > learned[1][0] + 0.4,
                "adapter 1 wrote the buffer, yet the weights are " + Arrays.deepToString(learned));
    }

    @Test
    void imageClassifier() {
        ImageClassifier model = (ImageClassifier) Architectures.load(HF.resolve("vit-f32"));
        List<String> modules = new ArrayList<>();
        for (int layer = 0; layer < 2; layer++) {
            for (String m : List.of("attention.attention.query", "attention.attention.value", "output.dense")) {
                modules.add("vit.encoder.layer." + layer + "." + m);
            }
        }
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(model.module(), modules, 2, 0.4, 9);
        AdaptiveMerge merge = new AdaptiveMerge(model.module(), modules, adapters, MergeMethod.LINEAR, 1, 0);
        Tensor pixels = Tensor.rand(DType.F32, new Random(5), -1, 1, 48, 3, 32, 32).toPersistent();
        int[] labels = new int[48];
        try (var _ = Engine.noGrad(); var _ = Engine.step(); var _ = merge.substitute(alphas(1, 0), Granularity.ADAPTER)) {
            float[] logits = model.logits(pixels).toFloatArray();
            int classes = model.labels().size();
            for (int i = 0; i < labels.length; i++) {
                for (int c = 1; c < classes; c++) {
                    if (logits[i * classes + c] > logits[i * classes + labels[i]]) labels[i] = c;
                }
            }
        }
        double[][] learned = learn(merge, new LabelledImages(model::logits, pixels, labels, Objective.crossEntropy()),
                modules.size());
        assertTrue(learned[0][0] > 0.75 && learned[0][0] > learned[1][0] + 0.4,
                "adapter 1 labelled the buffer, yet the weights are " + Arrays.deepToString(learned));
    }

    /** Adam from α = σ(0) = 0.5 each, b_max 1 so that α = σ(c) ∈ (0, 1). */
    private static double[][] learn(AdaptiveMerge merge, Buffer buffer, int modules) {
        Coefficients coefficients = new Coefficients(CoefficientSettings.sigmoid(1), 2, modules, DType.F32);
        CoefficientTraining.train(merge, coefficients, buffer, 60, 0.15, null);
        return coefficients.values();
    }

    private static Tensor alphas(double first, double second) {
        return Tensor.of(DType.F32, new double[] {first, second}, 2, 1).toPersistent();
    }
}
