package amalgam.merge.adaptive;

import amalgam.merge.algorithms.MergeMethod;
import amalgam.engine.DType;
import amalgam.engine.Engine;
import amalgam.engine.Tensor;
import amalgam.engine.nn.TinyViT;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On small synthetic adapters, learned coefficients find weights that were planted in a teacher model. */
class CoefficientRecoveryTest {

    @Test
    void recoversPlantedWeights() {
        TinyViT base = SyntheticAdapters.base(DType.F32, 21);
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(base, 2, 0.15, 22);
        AdaptiveMerge merge = new AdaptiveMerge(base, TinyViT.ATTENTION_PROJECTIONS, adapters, MergeMethod.LINEAR, 1, 0);
        Tensor images = SyntheticAdapters.images(DType.F32, 16, 23);
        double[] planted = {0.8, 0.25};
        Tensor teacher = teacherLogits(merge, planted, images);
        Objective distillation = (logits, labels) -> logits.sub(teacher).square().mean();

        // b_max = 1 makes b = 1, so α = σ(c) can reach any planted weight in (0, 1).
        Coefficients coefficients = new Coefficients(CoefficientSettings.sigmoid(1), 2, 4, DType.F32);
        CoefficientTraining.train(merge, coefficients, new LabelledImages(base::forward, images, new int[16], distillation), 250, 0.08, null);
        double[][] learned = coefficients.values();
        assertEquals(planted[0], learned[0][0], 0.03);
        assertEquals(planted[1], learned[1][0], 0.03);
    }

    @Test
    void theRelevantAdapterDominatesIrrelevantOnes() {
        TinyViT base = SyntheticAdapters.base(DType.F32, 31);
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(base, 4, 0.3, 32);
        AdaptiveMerge merge = new AdaptiveMerge(base, TinyViT.ATTENTION_PROJECTIONS, adapters, MergeMethod.LINEAR, 1, 0);
        Tensor images = SyntheticAdapters.images(DType.F32, 24, 33);
        Tensor teacher = teacherLogits(merge, new double[] {0, 0, 1, 0}, images); // adapter 2 alone is the task
        // Random images give a random ViT nearly constant classes, so the teacher is matched on its logits.
        Objective distillation = (logits, labels) -> logits.sub(teacher).square().mean();

        Coefficients coefficients = new Coefficients(CoefficientSettings.sigmoid(1), 4, 4, DType.F32);
        CoefficientTraining.train(merge, coefficients, new LabelledImages(base::forward, images, new int[24], distillation), 120, 0.1, null);
        double[][] learned = coefficients.values();
        for (int i = 0; i < 4; i++) {
            if (i != 2) assertTrue(learned[2][0] > 3 * learned[i][0], "adapter 2: " + learned[2][0] + ", adapter " + i + ": " + learned[i][0]);
        }
    }

    @Test
    void loraHubSearchMovesTowardsPlantedWeights() {
        TinyViT base = SyntheticAdapters.base(DType.F32, 41);
        List<Map<String, Tensor>> adapters = SyntheticAdapters.adapters(base, 2, 0.15, 42);
        AdaptiveMerge merge = new AdaptiveMerge(base, TinyViT.ATTENTION_PROJECTIONS, adapters, MergeMethod.LINEAR, 1, 0);
        Tensor images = SyntheticAdapters.images(DType.F32, 16, 43);
        Tensor teacher = teacherLogits(merge, new double[] {1.0, -0.5}, images);
        Objective distillation = (logits, labels) -> logits.sub(teacher).square().mean();
        Buffer buffer = new LabelledImages(base::forward, images, new int[16], distillation);
        LoraHubSearch.Result result = LoraHubTuning.tune(merge, Granularity.ADAPTER, buffer, 3);
        double atStart = LoraHubSearch.penalised(
                w -> LoraHubTuning.loss(merge, Granularity.ADAPTER, buffer, w, 1), new double[2]);
        assertTrue(result.evaluations() <= LoraHubSearch.EVALUATIONS);
        assertTrue(result.objective() < 0.5 * atStart, result.objective() + " from " + atStart);
        assertTrue(result.weights()[0] > 0.3 && result.weights()[1] < 0, java.util.Arrays.toString(result.weights()));
    }

    private static Tensor teacherLogits(AdaptiveMerge merge, double[] weights, Tensor images) {
        try (var _ = Engine.noGrad(); var _ = Engine.step()) {
            Tensor alphas = Tensor.of(DType.F32, weights, weights.length, 1);
            return merge.logits(alphas, Granularity.ADAPTER, images).toPersistent();
        }
    }
}
